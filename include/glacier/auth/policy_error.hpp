#pragma once

#include <stdexcept>

namespace glacier::auth {

/// A policy document that is malformed or uses what glacier-mock does not support; the
/// message names the element, operator, key or value.
class policy_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace glacier::auth
