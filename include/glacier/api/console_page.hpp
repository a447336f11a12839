#pragma once

#include <string_view>

namespace glacier::api {

/// The web console (ui/console.html), embedded at build time by cmake/embed_file.cmake.
std::string_view console_page_html();

}  // namespace glacier::api
