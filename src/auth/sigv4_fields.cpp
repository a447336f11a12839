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
  // key/yyyymmdd/region/service/aws4_request; the key itself never holds a '/'.
  std::string_view rest = out.credential;
  std::string* parts[] = {&out.access_key_id, &out.scope_date, &out.region, &out.service,
                          &out.terminator};
  std::size_t n = 0;
  for (; n < 5 && !rest.empty(); ++n) {
    const auto slash = n == 4 ? std::string_view::npos : rest.find('/');
    *parts[n] = std::string(rest.substr(0, slash));
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  out.credential_complete = n == 5 && !out.terminator.empty();
}

// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=..." (commas, spaces or
// both between the fields, as SDKs differ).
void read_header(std::string_view value, sigv4_fields& out) {
  value = trim_spaces_and_tabs(value);
  const auto space = value.find(' ');
  out.algorithm = std::string(value.substr(0, space));
  std::string_view rest =
      space == std::string_view::npos ? std::string_view() : value.substr(space);
  while (!rest.empty()) {
    const auto end = rest.find(',');
    const auto field = trim_spaces_and_tabs(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    const auto equals = field.find('=');
    if (equals == std::string_view::npos) continue;
    const auto name = field.substr(0, equals);
    const auto text = std::string(field.substr(equals + 1));
    if (name == "Credential") {
      out.credential = text;
      out.has_credential = true;
    } else if (name == "SignedHeaders") {
      out.signed_headers = text;
      out.has_signed_headers = true;
    } else if (name == "Signature") {
      out.signature = text;
      out.has_signature = true;
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
  } else if (url.has_query()) {
    const auto params = url.params();
    const auto get = [&](std::string_view key, std::string& into) {
      const auto it = params.find(key);
      if (it == params.end()) return false;
      into = std::string((*it).value);
      return true;
    };
    if (!get("X-Amz-Algorithm", out.algorithm) && !params.contains("X-Amz-Credential")) {
      return out;
    }
    out.from = sigv4_fields::source::query;
    out.has_credential = get("X-Amz-Credential", out.credential);
    out.has_signed_headers = get("X-Amz-SignedHeaders", out.signed_headers);
    out.has_signature = get("X-Amz-Signature", out.signature);
    get("X-Amz-Date", out.query_date);
    get("X-Amz-Expires", out.query_expires);
    get("X-Amz-Security-Token", out.query_token);
  }
  if (out.has_credential) split_credential(out);
  return out;
}

}  // namespace glacier::auth
