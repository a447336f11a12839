#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "glacier/api/call.hpp"
#include "glacier/http/message.hpp"

namespace glacier::api {

/// A handler: request in, response out; throws glacier::error for Glacier errors.
using handler = http::response (*)(call&);

/// One operation: method, path pattern with `{name}` segments, an optional required
/// query parameter ("operation=add"), the Glacier operation name and its handler.
struct route {
  std::string_view method;
  std::string_view pattern;
  std::string_view required_query;
  std::string_view operation;
  handler fn;
};

/// The result of matching a request against the route table.
struct route_match {
  const route* matched = nullptr;  ///< null when nothing matched
  bool path_known = false;         ///< the path matched some route, the method did not
  std::vector<std::pair<std::string_view, std::string>> parameters;
};

/// Matches decoded path segments (and the query, for `required_query`) to a route.
route_match match_route(const std::vector<route>& table, std::string_view method,
                        const std::vector<std::string>& segments, const boost::urls::url_view& url);

/// The Glacier route table, one line per operation in the API reference's order.
const std::vector<route>& glacier_routes();

}  // namespace glacier::api
