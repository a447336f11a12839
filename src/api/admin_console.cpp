// GET /_mock/ui: the web console. The page is ui/console.html, compiled into the binary so
// that it works offline and in an air-gapped CI; all it shows comes from the admin API.
#include <memory>
#include <string>

#include "glacier/api/admin.hpp"
#include "glacier/api/console_page.hpp"

namespace glacier::api {

namespace {

// The only origin the page may reach is this server: even markup that slipped into a
// rendered value could load nothing and send nothing elsewhere.
constexpr std::string_view content_security_policy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

}  // namespace

http::response console_page(call& /*c*/) {
  // Shared and immutable, so each request sends the page without copying it.
  static const auto page = std::make_shared<const std::string>(console_page_html());
  http::response r;
  r.headers["Content-Type"] = "text/html; charset=utf-8";
  r.headers["Content-Security-Policy"] = std::string(content_security_policy);
  r.headers["X-Content-Type-Options"] = "nosniff";
  r.headers["Cache-Control"] = "no-cache";
  r.shared_body = page;
  r.shared_offset = 0;
  r.shared_length = page->size();
  return r;
}

}  // namespace glacier::api
