#include "glacier/aws/sigv4.hpp"

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <stdexcept>

#include "glacier/aws/openssl_digests.hpp"

namespace glacier::sigv4 {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0x0f];
  }
  return out;
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
  return out;
}

// SigV4 wants header values trimmed, with inner runs of spaces collapsed to one.
std::string normalize_value(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

// Sorted by lowercase name; a repeated name keeps its values in order, comma-joined.
std::map<std::string, std::string> canonical_headers(const request& req) {
  std::map<std::string, std::string> headers;
  for (const auto& [name, value] : req.headers) {
    auto [it, inserted] = headers.try_emplace(lowercase(name), normalize_value(value));
    if (!inserted) it->second.append(",").append(normalize_value(value));
  }
  return headers;
}

std::string signed_header_list(const std::map<std::string, std::string>& headers) {
  std::string out;
  for (const auto& [name, value] : headers) out += (out.empty() ? "" : ";") + name;
  return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  const auto digest = openssl::sha256(data.data(), data.size());
  return to_hex(digest.data(), digest.size());
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  const auto mac = openssl::hmac_sha256(key, data);
  return std::string(reinterpret_cast<const char*>(mac.data()), mac.size());
}

std::string amz_date(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm parts{};
  gmtime_r(&seconds, &parts);
  std::array<char, 32> text{};
  const auto size = std::strftime(text.data(), text.size(), "%Y%m%dT%H%M%SZ", &parts);
  return std::string(text.data(), size);
}

std::string canonical_request(const request& req) {
  const auto headers = canonical_headers(req);
  std::string out;
  out.append(req.method).append("\n");
  out.append(req.path.empty() ? "/" : req.path).append("\n");
  out.append(req.canonical_query).append("\n");
  for (const auto& [name, value] : headers) out.append(name).append(":").append(value) += '\n';
  out.append("\n");
  out.append(signed_header_list(headers)).append("\n");
  out.append(sha256_hex(req.payload));
  return out;
}

std::string hex(std::string_view data) {
  return to_hex(reinterpret_cast<const unsigned char*>(data.data()), data.size());
}

std::string uri_encode(std::string_view text, bool keep_slash) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved || (keep_slash && c == '/')) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += digits[byte >> 4];
    out += digits[byte & 0x0f];
  }
  return out;
}

std::string credential_scope(std::string_view day, std::string_view region,
                             std::string_view service) {
  std::string scope;
  scope.append(day).append("/").append(region).append("/").append(service).append("/aws4_request");
  return scope;
}

std::string signing_key(std::string_view secret, std::string_view day, std::string_view region,
                        std::string_view service) {
  std::string seed = "AWS4";
  seed.append(secret);
  const auto k_date = hmac_sha256(seed, day);
  const auto k_region = hmac_sha256(k_date, region);
  const auto k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

std::string string_to_sign(std::string_view date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out;
  out.append(algorithm).append("\n");
  out.append(date).append("\n");
  out.append(scope).append("\n");
  out.append(sha256_hex(canonical_request));
  return out;
}

std::string signature(std::string_view signing_key, std::string_view string_to_sign) {
  return hex(hmac_sha256(signing_key, string_to_sign));
}

std::string authorization(const request& req, const credentials& creds, std::string_view region,
                          std::string_view service, std::string_view date) {
  const auto day = date.substr(0, 8);
  const auto scope = credential_scope(day, region, service);
  const auto to_sign = string_to_sign(date, scope, canonical_request(req));
  const auto key = signing_key(creds.secret_access_key, day, region, service);

  std::string out(algorithm);
  out.append(" Credential=").append(creds.access_key_id).append("/").append(scope);
  out.append(", SignedHeaders=").append(signed_header_list(canonical_headers(req)));
  out.append(", Signature=").append(signature(key, to_sign));
  return out;
}

}  // namespace glacier::sigv4
