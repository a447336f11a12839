// GET /_mock/ui: the web console page, embedded in the binary.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "support/api_harness.hpp"

namespace glacier::testing {
namespace {

TEST(admin_console, serves_the_embedded_page_as_html) {
  api_harness h;
  const auto r = h.send("GET", "/_mock/ui", "", {}, false);
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.headers.at("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.headers.at("Cache-Control"), "no-cache");
  EXPECT_EQ(r.operation, "AdminConsole");
  const std::string page(r.payload());
  EXPECT_TRUE(page.starts_with("<!doctype html>")) << page.substr(0, 40);
  EXPECT_NE(page.find("</html>"), std::string::npos);
  // The size the issue allows: the page must stay a quick load on any link.
  EXPECT_LT(page.size(), 150u * 1024);
}

TEST(admin_console, the_page_may_reach_only_this_server) {
  api_harness h;
  const auto r = h.send("GET", "/_mock/ui", "", {}, false);
  const auto& policy = r.headers.at("Content-Security-Policy");
  EXPECT_NE(policy.find("default-src 'none'"), std::string::npos) << policy;
  EXPECT_NE(policy.find("connect-src 'self'"), std::string::npos) << policy;
  EXPECT_EQ(policy.find("http"), std::string::npos) << policy;
  // No absolute URL in the markup or script but the SVG namespace, which loads nothing.
  const std::string page(r.payload());
  const std::regex url(R"((https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,})");
  for (auto it = std::sregex_iterator(page.begin(), page.end(), url); it != std::sregex_iterator();
       ++it) {
    EXPECT_EQ(it->str(), "http://www.w3.org") << "the page names another host: " << it->str();
  }
}

TEST(admin_console, is_off_with_the_rest_of_the_admin_api) {
  api_harness h;
  h.cfg.admin = false;
  EXPECT_EQ(h.send("GET", "/_mock/ui", "", {}, false).status, 404u);
}

}  // namespace
}  // namespace glacier::testing
