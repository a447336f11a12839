#include "glacier/http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <csignal>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "glacier/core/cpu_budget.hpp"
#include "glacier/http/session.hpp"

namespace glacier::http {

namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// How long to back off when accept fails for lack of descriptors or memory, so the
// loop does not spin while connections drain.
constexpr std::chrono::milliseconds accept_retry_delay{100};

unsigned thread_count(unsigned configured) {
  if (configured != 0) return configured;
  // The CPUs this process may run on, not the machine's: a container limited to one CPU
  // on a large host gets one thread, and the cross-thread wake-ups of more buy nothing.
  const auto budget = usable_cpus();
  spdlog::info("I/O threads: {} ({})", budget.cpus, budget.describe());
  return budget.cpus;
}

std::string describe(const std::string& host, std::uint16_t port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

bool is_resource_exhaustion(const boost::system::error_code& ec) {
  namespace errc = boost::system::errc;
  return ec == errc::too_many_files_open || ec == errc::too_many_files_open_in_system ||
         ec == errc::not_enough_memory || ec == errc::no_buffer_space;
}

}  // namespace

struct server::impl {
  impl(const config& cfg, api::dispatcher& dispatcher)
      : cfg_(cfg),
        threads_(thread_count(cfg.io_threads)),
        ioc_(static_cast<int>(threads_)),
        hub_(std::make_shared<session_hub>(cfg, dispatcher)),
        control_(asio::make_strand(ioc_)),
        acceptor_(control_),
        retry_timer_(control_),
        deadline_(control_),
        signals_(control_) {}

  ~impl() {
    // Sessions still queued in the io_context are destroyed with it and must not post
    // back into this half-destroyed object.
    hub_->set_on_drained(nullptr);
  }

  std::uint16_t listen() {
    boost::system::error_code ec;
    tcp::endpoint endpoint;
    const auto address = asio::ip::make_address(cfg_.host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, cfg_.port);
    } else {
      tcp::resolver resolver(ioc_);
      const auto results = resolver.resolve(cfg_.host, std::to_string(cfg_.port), ec);
      if (ec || results.empty()) {
        if (!ec) ec = asio::error::host_not_found;
        throw std::system_error(static_cast<std::error_code>(ec), "cannot resolve " + cfg_.host);
      }
      endpoint = *results.begin();
    }
    const auto where = describe(cfg_.host, cfg_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (ec) throw std::system_error(static_cast<std::error_code>(ec), "cannot listen on " + where);
    // Lets a restarted server bind while old connections sit in TIME_WAIT; Linux still
    // refuses a port another socket is listening on.
    acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      throw std::system_error(static_cast<std::error_code>(ec), "cannot listen on " + where);
    }
    const auto port = acceptor_.local_endpoint(ec).port();
    if (ec) throw std::system_error(static_cast<std::error_code>(ec), "cannot listen on " + where);
    do_accept();
    // Caught from here on, not only once run() starts: whoever reads the startup line may
    // send SIGTERM at once (docker stop right after start), and must get a clean exit 0.
    signals_.add(SIGINT, ec);
    signals_.add(SIGTERM, ec);
    return port;
  }

  void run() {
    signals_.async_wait([this](boost::system::error_code wait_ec, int signal) {
      if (wait_ec) return;
      spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
      begin_shutdown();
    });
    std::vector<std::thread> pool;
    pool.reserve(threads_ - 1);
    for (unsigned i = 1; i < threads_; ++i) pool.emplace_back([this] { run_loop(); });
    run_loop();
    for (auto& thread : pool) thread.join();
    spdlog::info("server stopped");
  }

  void stop() {
    asio::post(control_, [this] { begin_shutdown(); });
  }

  void run_loop() {
    // Handlers use error codes and catch their own failures; this is the last resort
    // so that one unexpected throw does not take a serving thread away.
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        spdlog::error("unexpected exception in the I/O loop: {}", e.what());
      } catch (...) {
        spdlog::error("unexpected non-exception thrown in the I/O loop");
      }
    }
  }

  void do_accept() {
    acceptor_.async_accept(asio::make_strand(ioc_),
                           boost::beast::bind_front_handler(&impl::on_accept, this));
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (stopping_) return;
    if (ec) {
      if (ec == asio::error::operation_aborted) return;
      spdlog::warn("accept failed: {}", ec.message());
      if (is_resource_exhaustion(ec)) {
        retry_timer_.expires_after(accept_retry_delay);
        retry_timer_.async_wait([this](boost::system::error_code wait_ec) {
          if (!wait_ec && !stopping_) do_accept();
        });
        return;
      }
      do_accept();
      return;
    }
    std::make_shared<session>(std::move(socket), hub_)->start();
    do_accept();
  }

  // Runs on control_.
  void begin_shutdown() {
    if (stopping_) return;
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    retry_timer_.cancel();
    signals_.cancel(ec);
    signals_.clear(ec);
    hub_->set_on_drained([this] { asio::post(control_, [this] { deadline_.cancel(); }); });
    const auto live = hub_->size();
    if (hub_->begin_shutdown()) return;
    spdlog::info("stopped accepting; waiting up to {} ms for {} connection(s)",
                 cfg_.shutdown_deadline.count(), live);
    deadline_.expires_after(cfg_.shutdown_deadline);
    deadline_.async_wait([this](boost::system::error_code wait_ec) {
      if (wait_ec) return;
      spdlog::warn("shutdown deadline passed; dropping {} connection(s)", hub_->size());
      ioc_.stop();
    });
  }

  const config cfg_;
  const unsigned threads_;
  asio::io_context ioc_;
  std::shared_ptr<session_hub> hub_;
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  asio::steady_timer deadline_;
  asio::signal_set signals_;
  bool stopping_ = false;  // only touched on control_
};

server::server(const config& cfg, api::dispatcher& dispatcher)
    : impl_(std::make_unique<impl>(cfg, dispatcher)) {}

server::~server() = default;

std::uint16_t server::listen() {
  return impl_->listen();
}

void server::run() {
  impl_->run();
}

void server::stop() {
  impl_->stop();
}

std::optional<std::string> check_health(const config& cfg, duration timeout) {
  namespace beast = boost::beast;
  namespace bhttp = boost::beast::http;
  // A wildcard listen address is not a destination; the server is reachable on loopback.
  std::string host = cfg.host;
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "::1";
  const auto where = "http://" + describe(host, cfg.port) + "/_mock/health";
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto timed_out =
      "no answer from " + where + " within " + std::to_string(timeout.count()) + " ms";

  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  // Runs one operation to its end; the stream's expiry (the overall deadline) bounds it.
  auto run = [&](auto start) {
    std::optional<beast::error_code> result;
    stream.expires_at(deadline);
    start([&result](beast::error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result.value_or(asio::error::operation_aborted);
  };

  boost::system::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  if (const auto address = asio::ip::make_address(host, ec); !ec) {
    endpoints.emplace_back(address, cfg.port);
  } else {
    tcp::resolver resolver(ioc);
    bool resolved = false;
    resolver.async_resolve(
        host, std::to_string(cfg.port),
        [&](const boost::system::error_code& e, const tcp::resolver::results_type& r) {
          resolved = true;
          ec = e;
          endpoints.assign(r.begin(), r.end());
        });
    ioc.run_until(deadline);
    if (!resolved) return timed_out;
    if (ec || endpoints.empty()) return "cannot resolve " + host + ": " + ec.message();
  }
  ec = run([&](auto handler) { stream.async_connect(endpoints, handler); });
  if (ec) return ec == beast::error::timeout ? timed_out : where + ": " + ec.message();

  bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/_mock/health", 11};
  req.set(bhttp::field::host, describe(host, cfg.port));
  req.set(bhttp::field::connection, "close");
  ec = run([&](auto handler) { bhttp::async_write(stream, req, handler); });
  if (ec) return ec == beast::error::timeout ? timed_out : where + ": " + ec.message();

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{64} * 1024);
  ec = run([&](auto handler) { bhttp::async_read(stream, buffer, parser, handler); });
  if (ec) return ec == beast::error::timeout ? timed_out : where + ": " + ec.message();

  const auto& res = parser.get();
  const auto body = nlohmann::json::parse(res.body(), nullptr, false);
  const bool ok = body.is_object() && body.contains("status") && body["status"] == "ok";
  if (res.result_int() == 200 && ok) return std::nullopt;
  // With --admin false the server answers /_mock/health like any unknown path; that
  // Glacier-shaped 404 is proof enough that it is up and serving.
  const bool glacier_404 = res.result_int() == 404 && body.is_object() &&
                           body.value("code", "") == "ResourceNotFoundException";
  if (!cfg.admin && glacier_404) return std::nullopt;
  std::string excerpt = res.body().substr(0, 200);
  for (auto& c : excerpt) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return where + " answered " + std::to_string(res.result_int()) + ": " + excerpt;
}

}  // namespace glacier::http
