#pragma once

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "glacier/api/dispatcher.hpp"
#include "glacier/core/config.hpp"
#include "glacier/core/error.hpp"
#include "glacier/http/message.hpp"
#include "glacier/http/request_parser.hpp"

namespace glacier::http {

class session;

/// What every connection of one server shares: the settings, the dispatcher, and the roster
/// of live sessions a graceful shutdown walks. Thread-safe. Sessions hold it by shared_ptr,
/// so it outlives the last of them however the io_context winds down.
class session_hub {
 public:
  /// The dispatcher must outlive every session.
  session_hub(const config& cfg, api::dispatcher& dispatcher);

  /// The server's settings (limits, timeouts).
  const config& settings() const noexcept { return cfg_; }
  /// Where complete requests go.
  api::dispatcher& dispatcher() const noexcept { return dispatcher_; }
  /// Body bytes that move a request's read deadline on by another read_timeout
  /// (min_body_bytes_per_second x read_timeout, at least 1); 0 = the deadline never moves.
  std::uint64_t body_bytes_per_window() const noexcept { return body_bytes_per_window_; }
  /// True once begin_shutdown() ran: sessions close after their current response.
  bool shutting_down() const noexcept { return shutting_down_.load(); }

  /// Registers a session that just started.
  void add(const std::shared_ptr<session>& s);
  /// Forgets a session; called from its destructor.
  void remove(const session* s);
  /// How many sessions are alive.
  std::size_t size() const;

  /// Called once the last session is gone during a shutdown. It runs under the hub's lock
  /// and on whichever thread destroyed that session, so it must only post work elsewhere.
  void set_on_drained(std::function<void()> on_drained);
  /// Flags the shutdown and asks every live session to finish. Returns true when no session
  /// is left, i.e. on_drained will not be called.
  bool begin_shutdown();

 private:
  const config cfg_;
  api::dispatcher& dispatcher_;
  const std::uint64_t body_bytes_per_window_;
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex mutex_;
  std::unordered_map<const session*, std::weak_ptr<session>> sessions_;
  std::function<void()> on_drained_;
};

/// One HTTP/1.1 connection on its own strand: reads requests with per-message limits and
/// timeouts, hands them to the dispatcher, and writes the responses back (archive bytes
/// straight from their shared buffer). Every failure is handled with error codes; nothing
/// thrown leaves a completion handler.
///
/// As nginx does, a response is first written, and the next request first read, with a
/// plain non-blocking call on the socket; only when the socket cannot take or give bytes
/// now does the session start an asynchronous operation. So a keep-alive exchange whose
/// bytes are ready costs two system calls and no completion handler. At most
/// max_inline_exchanges requests are served that way in a row before the session yields to
/// the other connections of its thread.
///
/// Every deadline (idle, request, write, linger) is one time point, deadline_, watched by
/// one timer wait that is not re-armed per request: see arm_deadline_timer.
///
/// A request's line and headers (at most max_header_bytes in all) must arrive within
/// read_timeout of its first byte. The body shares that deadline, which moves to
/// now + read_timeout each time another body_bytes_per_window() bytes have arrived since it
/// last moved; so a body that keeps min_body_bytes_per_second may take as long as it needs,
/// and a trickled or stalled one is dropped.
class session : public std::enable_shared_from_this<session> {
 public:
  /// Takes over an accepted socket whose executor is a strand of its own.
  session(boost::asio::ip::tcp::socket&& socket, std::shared_ptr<session_hub> hub);
  /// Leaves the hub's roster (possibly waking a shutdown waiting for the last session).
  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Registers with the hub and starts reading the first request.
  void start();
  /// Thread-safe: an idle connection closes now, a busy one after its current response.
  void shutdown();

 private:
  using parser_type = request_parser;

  // idle: waiting for the first byte of a request, so a shutdown may close at once.
  // reading: the request has started; deadline_ bounds it as a whole.
  // busy: the request is complete (or refused) and its response is under way.
  // lingering: the response to a refused request is out; input is drained until linger ends.
  enum class phase { idle, reading, busy, lingering, closing };

  void await_request();
  void on_idle_read(boost::beast::error_code ec, std::size_t bytes);
  void on_first_bytes(boost::beast::error_code ec, std::size_t bytes);
  void read_header();
  void parse_header();
  void on_request_bytes(boost::beast::error_code ec, std::size_t bytes);
  void on_body_bytes(boost::beast::error_code ec, std::size_t bytes);
  bool read_ended(boost::beast::error_code ec);
  void on_read_header(boost::beast::error_code ec);
  void on_continue_written(boost::beast::error_code ec, std::size_t bytes);
  void read_body();
  void on_body_error(boost::beast::error_code ec);
  void read_more();
  void set_deadline(std::chrono::steady_clock::time_point when);
  void arm_deadline_timer();
  void on_deadline_timer(boost::beast::error_code ec);
  void on_deadline_passed();
  void drop_late_request();
  void handle_request();
  void fail_request(error_code code, std::string message);
  void send(response&& res);
  void on_delay_done(boost::beast::error_code ec);
  void build_wire_response();
  void write_some();
  void on_async_write(boost::beast::error_code ec, std::size_t bytes);
  void on_write_some(boost::beast::error_code ec, std::size_t bytes);
  void finish_exchange(bool written);
  void close();
  void linger_close();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);
  void on_shutdown();
  response safe_error_response(error_code code, std::string_view message);

  std::shared_ptr<session_hub> hub_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  std::optional<parser_type> parser_;
  response pending_;         // owns the body (or its shared bytes) until the write completes
  std::string head_;         // the response's status line and headers, reused per response
  std::size_t written_ = 0;  // bytes of head_ and then the payload already sent
  boost::asio::steady_timer delay_timer_;  // injected latency, waited without a thread
  // Watches deadline_. Its expiry is never later than deadline_: each deadline is set at
  // least tick_ (the shortest timeout) ahead, and a wait is armed at most tick_ ahead, so
  // moving deadline_ needs no timer call, and the wait re-arms itself when it fires early.
  boost::asio::steady_timer deadline_timer_;
  const std::chrono::steady_clock::duration tick_;
  std::array<char, 4096> drain_{};
  std::string remote_;
  std::string remote_address_;  // the client's IP, handed to every request
  std::string method_;
  std::string target_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point deadline_;  // what phase_ waits for must happen by then
  std::uint64_t window_bytes_ = 0;                  // body bytes since deadline_ last moved
  std::size_t header_budget_ = 0;  // header bytes the current request may still send
  unsigned version_ = 11;
  bool first_request_ = true;
  bool keep_alive_ = false;
  bool linger_ = false;    // close with a drain so an early error response is not lost to RST
  bool delaying_ = false;  // the response waits on delay_timer_
  bool deadline_timer_waiting_ = false;
  bool read_timed_out_ = false;
  bool write_timed_out_ = false;
  int inline_budget_ = 0;  // exchanges this session may still serve without yielding
  phase phase_ = phase::idle;
};

}  // namespace glacier::http
