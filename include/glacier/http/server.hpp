#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "glacier/api/dispatcher.hpp"
#include "glacier/core/config.hpp"

namespace glacier::http {

/// The listening side: an Asio acceptor feeding one session per connection, an io_context
/// on cfg.io_threads threads, and a graceful shutdown on SIGINT/SIGTERM or stop().
/// Beast stays behind the pimpl so users of this header do not compile it.
class server {
 public:
  /// Keeps a copy of cfg; the dispatcher must outlive the server.
  server(const config& cfg, api::dispatcher& dispatcher);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds and listens on cfg.host:cfg.port (port 0 = any free port) and starts accepting.
  /// Call once, before run(). Throws std::system_error naming the address on failure
  /// (e.g. the port is in use). Returns the port actually bound.
  std::uint16_t listen();

  /// Serves on cfg.io_threads threads (0 = one per core) until SIGINT, SIGTERM or stop();
  /// then stops accepting, lets in-flight requests finish for at most
  /// cfg.shutdown_deadline, and returns.
  void run();

  /// Begins the graceful shutdown, exactly as a signal would. Safe from any thread, also
  /// before run() starts (run() then shuts down at once).
  void stop();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// The `--healthcheck` probe: GET /_mock/health from a glacier-mock serving on
/// cfg.host:cfg.port (a wildcard host such as 0.0.0.0 means this machine's loopback),
/// all within `timeout`. Returns nullopt for a 200 whose JSON has "status":"ok", else one
/// line saying what went wrong.
std::optional<std::string> check_health(const config& cfg, duration timeout);

}  // namespace glacier::http
