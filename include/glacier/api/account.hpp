#pragma once

#include "glacier/api/call.hpp"

namespace glacier::api {

/// GET /{account}/policies/data-retrieval
http::response get_data_retrieval_policy(call& c);
/// PUT /{account}/policies/data-retrieval
http::response set_data_retrieval_policy(call& c);
/// POST /{account}/provisioned-capacity
http::response purchase_provisioned_capacity(call& c);
/// GET /{account}/provisioned-capacity
http::response list_provisioned_capacity(call& c);

}  // namespace glacier::api
