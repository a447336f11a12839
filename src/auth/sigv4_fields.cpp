#include "glacier/auth/sigv4_fields.hpp"

#include <boost/url/params_view.hpp>

namespace glacier::auth {

std::string_view trim_spaces_and_tabs(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

namespace {

void split_credential(sigv4_fields& out) {
  // key/yyyymmdd/region/service/aws4_request; AWS ignores trailing slashes and counts the
  // rest, so "k/d/r/s/aws4_request/" has five elements and "k/d/r/s" four.
  std::string_view rest = out.credential;
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string* parts[] = {&out.access_key_id, &out.scope_date, &out.region, &out.service,
                          &out.terminator};
  std::size_t n = 0;
  while (true) {
    const auto slash = rest.find('/');
    if (n < 5) *parts[n] = std::string(rest.substr(0, slash));
    ++n;
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  out.credential_complete = n == 5;
}

bool is_separator(char c) {
  return c == ',' || c == ' ' || c == '\t';
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...": the algorithm, then
// fields separated by commas, spaces or both, as SDKs differ.
void read_header(std::string_view value, sigv4_fields& out) {
  value = trim_spaces_and_tabs(value);
  std::size_t at = 0;
  bool first = true;
  while (at < value.size()) {
    while (at < value.size() && is_separator(value[at])) ++at;
    auto end = at;
    while (end < value.size() && !is_separator(value[end])) ++end;
    const auto field = value.substr(at, end - at);
    at = end;
    if (field.empty()) continue;
    if (first) {
      out.algorithm = std::string(field);
      first = false;
      continue;
    }
    const auto equals = field.find('=');
    if (equals == std::string_view::npos) {
      if (out.field_without_value.empty()) out.field_without_value = std::string(field);
      continue;
    }
    const auto name = field.substr(0, equals);
    auto text = std::string(field.substr(equals + 1));
    // An empty Credential or Signature counts as missing, as AWS counts it; an empty
    // SignedHeaders is there (and fails later: host must be signed).
    if (name == "Credential") {
      out.has_credential = !text.empty();
      out.credential = std::move(text);
    } else if (name == "SignedHeaders") {
      out.signed_headers = std::move(text);
      out.has_signed_headers = true;
    } else if (name == "Signature") {
      out.has_signature = !text.empty();
      out.signature = std::move(text);
    }
  }
}

}  // namespace

sigv4_fields read_sigv4_fields(const http::header_map& headers, const boost::urls::url_view& url) {
  sigv4_fields out;
  const auto authorization = http::header_or_empty(headers, "Authorization");
  if (!authorization.empty()) {
    out.from = sigv4_fields::source::header;
    read_header(authorization, out);
    out.header_and_query = url.has_query() && url.params().contains("X-Amz-Algorithm");
  } else if (url.has_query()) {
    const auto params = url.params();
    const auto get = [&](std::string_view key, std::string& into) {
      const auto it = params.find(key);
      if (it == params.end()) return false;
      into = std::string((*it).value);
      return !into.empty();  // an empty parameter counts as missing, as AWS counts it
    };
    out.has_algorithm = get("X-Amz-Algorithm", out.algorithm);
    if (!params.contains("X-Amz-Algorithm") && !params.contains("X-Amz-Credential")) return out;
    out.from = sigv4_fields::source::query;
    out.has_credential = get("X-Amz-Credential", out.credential);
    out.has_signed_headers = get("X-Amz-SignedHeaders", out.signed_headers);
    out.has_signature = get("X-Amz-Signature", out.signature);
    out.has_query_date = get("X-Amz-Date", out.query_date);
    out.has_query_expires = params.contains("X-Amz-Expires");
    get("X-Amz-Expires", out.query_expires);
    get("X-Amz-Security-Token", out.query_token);
  }
  if (out.has_credential) split_credential(out);
  return out;
}

}  // namespace glacier::auth
