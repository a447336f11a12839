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

/// Routes with their patterns split into segments once, when the table is built.
class route_table {
 public:
  /// `routes` must use patterns with static storage (string literals).
  explicit route_table(std::vector<route> routes);

  /// Matches decoded path segments (and the query, for `required_query`) to a route;
  /// the first route whose path, method and required query match wins.
  route_match match(std::string_view method, const std::vector<std::string>& segments,
                    const boost::urls::url_view& url) const;

 private:
  struct compiled_route {
    route definition;
    std::vector<std::string_view> parts;
  };
  std::vector<compiled_route> routes_;
};

/// The Glacier route table, one line per operation in the API reference's order.
const route_table& glacier_routes();

}  // namespace glacier::api
