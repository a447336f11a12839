#pragma once

#include <cstdint>
#include <memory>

#include "glacier/core/config.hpp"

namespace glacier {

/// The whole service wired together: clock, ids, store, scheduler, dispatcher and server.
class application {
 public:
  explicit application(const config& cfg);
  ~application();
  application(const application&) = delete;
  application& operator=(const application&) = delete;

  /// Binds the listening socket (throws std::system_error, e.g. when the port is in use)
  /// and returns the port actually bound (useful with port 0).
  std::uint16_t listen();

  /// Serves until SIGINT/SIGTERM or stop(); in-flight requests finish within the
  /// shutdown deadline. Returns the process exit code.
  int run();

  /// Asks run() to return; safe from any thread.
  void stop();

 private:
  struct parts;
  std::unique_ptr<parts> parts_;
};

}  // namespace glacier
