#include "glacier/http/session.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <vector>

#include "glacier/core/logging.hpp"

namespace glacier::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

// Draining after an early error response is only a courtesy to the client; cap it.
constexpr duration max_linger{1000};
// Beast's own read loop uses this much at most per read; reads while a request arrives
// keep to it.
constexpr std::size_t max_read_size = std::size_t{64} * 1024;
// A body read straight into its final buffer takes this much per read: few system calls,
// and what arrives is still in the cache when the whole-body SHA-256 reads it.
constexpr std::size_t max_body_read_size = std::size_t{256} * 1024;
// Requests served back to back on one connection without a completion handler, before it
// lets the others of its thread run; also bounds the stack of that chain of calls.
constexpr int max_inline_exchanges = 16;
constexpr std::string_view continue_response = "HTTP/1.1 100 Continue\r\n\r\n";

std::chrono::steady_clock::duration shortest_timeout(const config& cfg) {
  return std::min({cfg.read_timeout, cfg.write_timeout, cfg.idle_timeout});
}

std::uint64_t window_bytes_for(const config& cfg) {
  const auto rate = cfg.min_body_bytes_per_second;
  if (rate == 0) return 0;
  const auto millis = static_cast<std::uint64_t>(cfg.read_timeout.count());
  const auto seconds = millis / 1000;
  constexpr auto most = std::numeric_limits<std::uint64_t>::max();
  // Saturates instead of overflowing: such a window cannot be filled, which is the intent.
  if (seconds >= most / rate) return most;
  // At least one byte, or a tiny rate x window would move the deadline with no data at all.
  return std::max<std::uint64_t>(1, rate * seconds + rate * (millis % 1000) / 1000);
}

std::string remote_address(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  return ec ? std::string() : endpoint.address().to_string();
}

std::string describe_remote(const asio::ip::tcp::socket& socket) {
  beast::error_code ec;
  const auto endpoint = socket.remote_endpoint(ec);
  if (ec) return "-";
  const auto address = endpoint.address();
  const auto text = address.to_string();
  const auto port = std::to_string(endpoint.port());
  return address.is_v6() ? "[" + text + "]:" + port : text + ":" + port;
}

bool is_parse_error(const beast::error_code& ec) {
  return ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category();
}

// Headers the session owns: framing is always Content-Length and never the handler's call.
bool is_framing_header(std::string_view name) {
  return beast::iequals(name, "content-length") || beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection");
}

// A header name or value that would end its line early (header injection) is refused.
bool is_field_text(std::string_view text) {
  // A plain loop: find_first_of with a two-character set calls memchr once per character.
  return std::none_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n'; });
}

void append_decimal(std::string& out, std::uint64_t value) {
  char digits[20];
  const auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, static_cast<std::size_t>(end - digits));
}

}  // namespace

session_hub::session_hub(const config& cfg, api::dispatcher& dispatcher)
    : cfg_(cfg), dispatcher_(dispatcher), body_bytes_per_window_(window_bytes_for(cfg)) {}

void session_hub::add(const std::shared_ptr<session>& s) {
  const std::lock_guard lock(mutex_);
  sessions_.emplace(s.get(), s);
}

void session_hub::remove(const session* s) {
  const std::lock_guard lock(mutex_);
  sessions_.erase(s);
  if (sessions_.empty() && shutting_down_ && on_drained_) on_drained_();
}

std::size_t session_hub::size() const {
  const std::lock_guard lock(mutex_);
  return sessions_.size();
}

void session_hub::set_on_drained(std::function<void()> on_drained) {
  const std::lock_guard lock(mutex_);
  on_drained_ = std::move(on_drained);
}

bool session_hub::begin_shutdown() {
  std::vector<std::shared_ptr<session>> live;
  {
    const std::lock_guard lock(mutex_);
    shutting_down_ = true;
    for (const auto& [key, weak] : sessions_) {
      if (auto s = weak.lock()) live.push_back(std::move(s));
    }
    if (sessions_.empty()) return true;
  }
  // Outside the lock: a session released here may be destroyed and call remove().
  for (const auto& s : live) s->shutdown();
  return false;
}

session::session(asio::ip::tcp::socket&& socket, std::shared_ptr<session_hub> hub)
    : hub_(std::move(hub)),
      socket_(std::move(socket)),
      delay_timer_(socket_.get_executor()),
      deadline_timer_(socket_.get_executor()),
      tick_(shortest_timeout(hub_->settings())) {
  remote_ = describe_remote(socket_);
  remote_address_ = remote_address(socket_);
  // For the plain read and write calls that come before any asynchronous one.
  beast::error_code ignored;
  socket_.non_blocking(true, ignored);
}

session::~session() {
  hub_->remove(this);
}

void session::start() {
  hub_->add(shared_from_this());
  asio::dispatch(socket_.get_executor(),
                 beast::bind_front_handler(&session::await_request, shared_from_this()));
}

void session::shutdown() {
  asio::post(socket_.get_executor(),
             beast::bind_front_handler(&session::on_shutdown, shared_from_this()));
}

void session::on_shutdown() {
  // A busy session sees shutting_down() when its response is done and closes then; an
  // injected delay is cut short so the shutdown deadline is not spent waiting on it.
  if (phase_ == phase::idle) {
    close();
  } else if (delaying_) {
    delay_timer_.cancel();
  }
}

void session::await_request() {
  if (hub_->shutting_down()) {
    close();
    return;
  }
  if (buffer_.size() > 0) {
    // A pipelined request has already arrived.
    read_header();
    return;
  }
  // Wait for the first byte under the idle limit, so a keep-alive connection may rest
  // for idle_timeout while a request, once started, must arrive within read_timeout.
  phase_ = phase::idle;
  const auto& cfg = hub_->settings();
  set_deadline(std::chrono::steady_clock::now() +
               (first_request_ ? cfg.read_timeout : cfg.idle_timeout));
  if (inline_budget_ > 0) {
    // The client may have sent its next request already (it usually has, under load).
    --inline_budget_;
    beast::error_code ec;
    const auto bytes = socket_.read_some(buffer_.prepare(4096), ec);
    if (ec != asio::error::would_block) {
      on_first_bytes(ec, bytes);
      return;
    }
  }
  socket_.async_read_some(buffer_.prepare(4096),
                          beast::bind_front_handler(&session::on_idle_read, shared_from_this()));
}

void session::on_idle_read(beast::error_code ec, std::size_t bytes) {
  inline_budget_ = max_inline_exchanges;
  on_first_bytes(ec, bytes);
}

void session::on_first_bytes(beast::error_code ec, std::size_t bytes) {
  if (phase_ == phase::closing) return;
  if (ec) {
    close();
    return;
  }
  buffer_.commit(bytes);
  read_header();
}

void session::read_header() {
  phase_ = phase::reading;
  const auto& cfg = hub_->settings();
  parser_.emplace();
  parser_->body_limit(cfg.max_body_bytes);
  header_budget_ = cfg.max_header_bytes;
  window_bytes_ = 0;
  read_timed_out_ = false;
  method_ = "-";
  target_ = "-";
  started_ = std::chrono::steady_clock::now();
  set_deadline(started_ + cfg.read_timeout);
  parse_header();
}

void session::parse_header() {
  // The session feeds the parser itself, because Beast 1.81 applies header_limit to each
  // parse step without deducting the fields it already consumed; so the budget is kept
  // here and handed to the parser before every step. A request that arrived whole (the
  // usual case) is parsed at once, without another read or a post.
  beast::error_code ec = bhttp::error::need_more;
  if (buffer_.size() > 0) {
    parser_->header_limit(static_cast<std::uint32_t>(header_budget_));
    const auto used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    if (used > header_budget_) {
      // The parser measures the fields after the request line against the whole limit.
      ec = bhttp::error::header_limit;
    } else {
      header_budget_ -= used;
      // Unparsed bytes already fill the budget, yet the header has not ended.
      if (ec == bhttp::error::need_more && buffer_.size() >= header_budget_) {
        ec = bhttp::error::header_limit;
      }
    }
  }
  if (ec == bhttp::error::need_more) {
    read_more();
    return;
  }
  on_read_header(ec);
}

// What every read's continuation does first: a read that came too late, or failed because
// the client went away (reset, EOF mid-request) or the session was shut down, ends the
// request. Returns true when it did.
bool session::read_ended(beast::error_code ec) {
  inline_budget_ = max_inline_exchanges;
  if (read_timed_out_) {
    drop_late_request();
    return true;
  }
  if (ec) {
    close();
    return true;
  }
  return false;
}

// One continuation for every read of a request, header or body: the parser knows which
// part it is in.
void session::on_request_bytes(beast::error_code ec, std::size_t bytes) {
  if (read_ended(ec)) return;
  buffer_.commit(bytes);
  if (parser_->is_header_done()) {
    read_body();
  } else {
    parse_header();
  }
}

void session::on_body_bytes(beast::error_code ec, std::size_t bytes) {
  if (read_ended(ec)) return;
  beast::error_code parse_ec;
  window_bytes_ += parser_->put_body_space(bytes, parse_ec);
  if (parse_ec && parse_ec != bhttp::error::need_more) {
    on_body_error(parse_ec);
    return;
  }
  read_body();
}

void session::on_read_header(beast::error_code ec) {
  // The request line is stored as soon as it parses, so even a request rejected for its
  // headers is logged with its method and target.
  if (const auto& req = parser_->get(); !req.target.empty()) {
    method_ = req.method;
    target_ = req.target;
    version_ = parser_->version();
  }
  if (ec == bhttp::error::header_limit) {
    fail_request(error_code::bad_request, "request header exceeds the limit of " +
                                              std::to_string(hub_->settings().max_header_bytes) +
                                              " bytes");
    return;
  }
  if (ec == bhttp::error::body_limit) {
    fail_request(error_code::request_entity_too_large,
                 "request body exceeds the limit of " +
                     std::to_string(hub_->settings().max_body_bytes) + " bytes");
    return;
  }
  if (ec && is_parse_error(ec)) {
    fail_request(error_code::bad_request, "malformed HTTP request: " + ec.message());
    return;
  }
  if (ec) {
    close();
    return;
  }
  const bool expects_continue = parser_->version() >= 11 && parser_->expects_continue();
  if (expects_continue && !parser_->is_done()) {
    // The client waits for this before sending the body; a declared body over the limit
    // never gets here, because the parser rejects its Content-Length with body_limit.
    // Under the request's own deadline: 25 bytes a client that waits for them takes.
    asio::async_write(socket_, asio::buffer(continue_response.data(), continue_response.size()),
                      beast::bind_front_handler(&session::on_continue_written, shared_from_this()));
    return;
  }
  read_body();
}

void session::on_continue_written(beast::error_code ec, std::size_t /*bytes*/) {
  inline_budget_ = max_inline_exchanges;
  if (read_timed_out_) {
    drop_late_request();
    return;
  }
  if (ec) {
    close();
    return;
  }
  read_body();
}

void session::read_body() {
  // Whatever is buffered first: a small body usually came in the header's read.
  while (buffer_.size() > 0 && !parser_->is_done()) {
    beast::error_code ec;
    const auto used = parser_->put(buffer_.data(), ec);
    buffer_.consume(used);
    window_bytes_ += used;
    if (ec == bhttp::error::need_more || (!ec && used == 0)) break;
    if (ec) {
      on_body_error(ec);
      return;
    }
  }
  if (parser_->is_done()) {
    handle_request();
    return;
  }
  // Enough body since the deadline last moved: the client keeps the minimum rate.
  const auto per_window = hub_->body_bytes_per_window();
  if (per_window != 0 && window_bytes_ >= per_window) {
    window_bytes_ = 0;
    set_deadline(std::chrono::steady_clock::now() + hub_->settings().read_timeout);
  }
  read_more();
}

void session::on_body_error(beast::error_code ec) {
  if (ec == bhttp::error::body_limit) {
    fail_request(error_code::request_entity_too_large,
                 "request body exceeds the limit of " +
                     std::to_string(hub_->settings().max_body_bytes) + " bytes");
    return;
  }
  if (is_parse_error(ec)) {
    fail_request(error_code::bad_request, "malformed HTTP request body: " + ec.message());
    return;
  }
  close();
}

void session::read_more() {
  // deadline_ bounds the request as a whole; a per-read timeout would restart with every
  // chunk.
  if (buffer_.size() == 0 && parser_->is_header_done()) {
    const auto space = parser_->body_space(max_body_read_size);
    if (space.size() > 0) {
      socket_.async_read_some(
          space, beast::bind_front_handler(&session::on_body_bytes, shared_from_this()));
      return;
    }
  }
  socket_.async_read_some(
      buffer_.prepare(beast::read_size(buffer_, max_read_size)),
      beast::bind_front_handler(&session::on_request_bytes, shared_from_this()));
}

void session::set_deadline(std::chrono::steady_clock::time_point when) {
  deadline_ = when;
  arm_deadline_timer();
}

void session::arm_deadline_timer() {
  // A wait under way expires no later than deadline_ (see tick_), and looks again then.
  if (deadline_timer_waiting_ || phase_ == phase::closing) return;
  deadline_timer_waiting_ = true;
  deadline_timer_.expires_at(std::min(deadline_, std::chrono::steady_clock::now() + tick_));
  deadline_timer_.async_wait(
      beast::bind_front_handler(&session::on_deadline_timer, shared_from_this()));
}

void session::on_deadline_timer(beast::error_code /*ec*/) {
  // Fired or cancelled alike: deadline_ and the phase decide what happens.
  deadline_timer_waiting_ = false;
  if (phase_ == phase::closing) return;
  if (std::chrono::steady_clock::now() < deadline_) {
    arm_deadline_timer();
    return;
  }
  on_deadline_passed();
}

void session::on_deadline_passed() {
  beast::error_code ignored;
  switch (phase_) {
    case phase::idle:
      spdlog::debug("closing idle connection from {}", remote_);
      close();
      return;
    case phase::reading:
      // The pending read (or 100-continue write) completes with an error and sees the flag.
      read_timed_out_ = true;
      socket_.cancel(ignored);
      return;
    case phase::busy:
      if (delaying_) return;  // deadline_ is set when the write starts
      write_timed_out_ = true;
      socket_.cancel(ignored);
      return;
    case phase::lingering:
      close();
      return;
    case phase::closing:
      return;
  }
}

void session::drop_late_request() {
  const auto& cfg = hub_->settings();
  if (!parser_ || !parser_->is_header_done()) {
    spdlog::info("dropping {}: request header not complete within {} ms", remote_,
                 cfg.read_timeout.count());
  } else {
    spdlog::info(
        "dropping {}: {} {} body not complete by its deadline (read timeout {} ms, kept "
        "while {} bytes/s arrive)",
        remote_, method_, target_, cfg.read_timeout.count(), cfg.min_body_bytes_per_second);
  }
  close();
}

void session::handle_request() {
  // Decided before the request is moved on.
  keep_alive_ = parser_->keep_alive();
  request req = std::move(parser_->get());
  parser_.reset();
  req.remote_address = remote_address_;

  response res;
  try {
    res = hub_->dispatcher().handle(std::move(req));
  } catch (const std::exception& e) {
    spdlog::error("dispatcher threw on {} {}: {}", method_, target_, e.what());
    res = safe_error_response(error_code::service_unavailable, "internal error");
  } catch (...) {
    spdlog::error("dispatcher threw a non-exception on {} {}", method_, target_);
    res = safe_error_response(error_code::service_unavailable, "internal error");
  }
  send(std::move(res));
}

response session::safe_error_response(error_code code, std::string_view message) {
  try {
    return hub_->dispatcher().error_response(code, message);
  } catch (...) {
    // Keep the wire answer Glacier-shaped even when the dispatcher itself is broken.
    response res;
    res.status = map_error(code).status;
    res.headers.emplace("Content-Type", "application/json");
    res.body = error_body(code, message);
    return res;
  }
}

void session::fail_request(error_code code, std::string message) {
  spdlog::debug("rejecting request from {}: {}", remote_, message);
  parser_.reset();
  keep_alive_ = false;
  linger_ = true;
  send(safe_error_response(code, message));
}

void session::send(response&& res) {
  phase_ = phase::busy;
  write_timed_out_ = false;
  pending_ = std::move(res);
  if (hub_->shutting_down()) keep_alive_ = false;
  try {
    build_wire_response();
  } catch (const std::exception& e) {
    // A handler bug (odd status, bad slice, bad header) still gets a well-formed answer.
    spdlog::error("cannot send the response to {} {}: {}", method_, target_, e.what());
    pending_ = safe_error_response(error_code::service_unavailable, "internal error");
    build_wire_response();
  }
  if (pending_.delay.count() > 0) {
    delaying_ = true;
    delay_timer_.expires_after(pending_.delay);
    delay_timer_.async_wait(beast::bind_front_handler(&session::on_delay_done, shared_from_this()));
    return;
  }
  write_some();
}

void session::on_delay_done(beast::error_code /*ec*/) {
  // Expired, or cancelled by a shutdown: either way the response goes out now.
  delaying_ = false;
  inline_budget_ = max_inline_exchanges;
  write_some();
}

void session::build_wire_response() {
  if (pending_.status < 100 || pending_.status > 599) {
    throw std::invalid_argument("status " + std::to_string(pending_.status));
  }
  if (pending_.shared_body) {
    const auto size = pending_.shared_body->size();
    if (pending_.shared_offset > size || pending_.shared_length > size - pending_.shared_offset) {
      throw std::out_of_range("slice " + std::to_string(pending_.shared_offset) + "+" +
                              std::to_string(pending_.shared_length) + " of a " +
                              std::to_string(size) + "-byte buffer");
    }
  }
  // The head is written here into a buffer the connection keeps, and goes out with the
  // payload in one gather write: Beast's serializer walks a deep buffer-sequence type for
  // every write and was a quarter of the instructions of a small request.
  head_.clear();
  head_.append(version_ == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  append_decimal(head_, pending_.status);
  head_.push_back(' ');
  head_.append(bhttp::obsolete_reason(bhttp::int_to_status(pending_.status)));
  head_.append("\r\n");
  for (const auto& [name, value] : pending_.headers) {
    if (is_framing_header(name)) continue;
    if (!is_field_text(name) || !is_field_text(value)) {
      throw std::invalid_argument("header " + name + " holds a line break");
    }
    head_.append(name).append(": ").append(value).append("\r\n");
  }
  head_.append("Content-Length: ");
  append_decimal(head_, pending_.payload().size());
  head_.append("\r\n");
  if (version_ == 10 && keep_alive_) head_.append("Connection: keep-alive\r\n");
  if (version_ != 10 && !keep_alive_) head_.append("Connection: close\r\n");
  head_.append("\r\n");
  written_ = 0;
}

void session::write_some() {
  // Per chunk again: an archive of gigabytes may take long, a client that stops reading
  // may not.
  set_deadline(std::chrono::steady_clock::now() + hub_->settings().write_timeout);
  const auto payload = pending_.payload();
  const std::array<asio::const_buffer, 2> pieces{
      asio::buffer(head_) + std::min(written_, head_.size()),
      asio::buffer(payload.data(), payload.size()) +
          (written_ > head_.size() ? written_ - head_.size() : 0)};
  if (written_ == 0) {
    // The socket usually takes a whole small response at once.
    beast::error_code ec;
    const auto bytes = socket_.write_some(pieces, ec);
    if (ec != asio::error::would_block) {
      on_write_some(ec, bytes);
      return;
    }
  }
  socket_.async_write_some(pieces,
                           beast::bind_front_handler(&session::on_async_write, shared_from_this()));
}

void session::on_async_write(beast::error_code ec, std::size_t bytes) {
  inline_budget_ = max_inline_exchanges;
  on_write_some(ec, bytes);
}

void session::on_write_some(beast::error_code ec, std::size_t bytes) {
  if (ec) {
    spdlog::info(
        "response to {} {} from {} not delivered: {}", method_, target_, remote_,
        write_timed_out_ ? std::string("not taken within the write timeout") : ec.message());
    finish_exchange(false);
    return;
  }
  written_ += bytes;
  if (written_ < head_.size() + pending_.payload().size()) {
    write_some();
    return;
  }
  finish_exchange(true);
}

void session::finish_exchange(bool written) {
  const auto elapsed = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - started_);
  access_log_entry entry;
  entry.method = method_;
  entry.target = target_;
  entry.operation = pending_.operation;
  entry.status = pending_.status;
  entry.duration = elapsed;
  entry.request_id = pending_.request_id;
  entry.remote = remote_;
  entry.bytes_sent = written ? pending_.payload().size() : 0;
  entry.fault = pending_.fault;
  entry.principal = pending_.principal;
  log_access(entry);

  // Drop the body (and the reference on shared archive bytes) before waiting on the client.
  pending_ = response{};

  if (!written) {
    close();
  } else if (linger_) {
    linger_close();
  } else if (!keep_alive_ || hub_->shutting_down()) {
    close();
  } else {
    first_request_ = false;
    await_request();
  }
}

void session::close() {
  if (phase_ == phase::closing) return;
  phase_ = phase::closing;
  // A pending deadline wait holds the session alive; let it go now.
  if (deadline_timer_waiting_) deadline_timer_.cancel();
  beast::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  socket_.close(ec);
}

void session::linger_close() {
  // The client may still be sending a body we refused. Closing with unread bytes makes
  // the kernel send RST, which can destroy the error response before the client reads
  // it; so half-close and discard input for a short while first.
  phase_ = phase::lingering;
  beast::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (ec) {
    close();
    return;
  }
  // Shorter than tick_ ahead, so a wait under way is moved in: cancelled, it re-arms
  // itself at the new deadline.
  deadline_ = std::chrono::steady_clock::now() + std::min<std::chrono::steady_clock::duration>(
                                                     max_linger, hub_->settings().read_timeout);
  if (deadline_timer_waiting_) {
    deadline_timer_.cancel();
  } else {
    arm_deadline_timer();
  }
  socket_.async_read_some(asio::buffer(drain_),
                          beast::bind_front_handler(&session::on_drain, shared_from_this()));
}

void session::on_drain(beast::error_code ec, std::size_t /*bytes*/) {
  if (ec || phase_ != phase::lingering) {
    close();
    return;
  }
  socket_.async_read_some(asio::buffer(drain_),
                          beast::bind_front_handler(&session::on_drain, shared_from_this()));
}

}  // namespace glacier::http
