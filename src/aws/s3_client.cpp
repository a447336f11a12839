#include "glacier/aws/s3_client.hpp"

#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <exception>

#include "http_call.hpp"

namespace glacier {

namespace {

namespace bhttp = boost::beast::http;

}  // namespace

std::string s3_path_encode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool keep = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '_' || c == '.' || c == '~' || c == '/';
    if (keep) {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 0x0f];
    }
  }
  return out;
}

s3_client::s3_client(http_endpoint endpoint, sigv4::credentials creds, duration timeout)
    : endpoint_(std::move(endpoint)), creds_(std::move(creds)), timeout_(timeout) {}

s3_put_result s3_client::put_object(
    const std::string& region, const std::string& bucket, const std::string& key,
    std::string_view body, const std::string& content_type,
    const std::vector<std::pair<std::string, std::string>>& headers) const {
  s3_put_result result;
  try {
    const auto date = sigv4::amz_date(std::chrono::system_clock::now());
    sigv4::request to_sign;
    to_sign.method = "PUT";
    to_sign.path = "/" + s3_path_encode(bucket) + "/" + s3_path_encode(key);
    to_sign.payload = std::string(body);
    to_sign.headers = {{"Content-Type", content_type},
                       {"Host", aws_http::host_header(endpoint_)},
                       {"X-Amz-Content-Sha256", sigv4::sha256_hex(body)},
                       {"X-Amz-Date", date}};
    to_sign.headers.insert(to_sign.headers.end(), headers.begin(), headers.end());

    bhttp::request<bhttp::string_body> req{bhttp::verb::put, to_sign.path, 11};
    for (const auto& [name, value] : to_sign.headers) req.set(name, value);
    req.set(bhttp::field::authorization, sigv4::authorization(to_sign, creds_, region, "s3", date));
    req.set(bhttp::field::connection, "close");
    req.body() = std::move(to_sign.payload);
    req.prepare_payload();

    auto answer = aws_http::exchange(endpoint_, req, timeout_);
    if (!answer.answered) {
      result.retryable = true;
      result.error = std::move(answer.error);
      return result;
    }
    if (answer.status != 200) {
      result.retryable = answer.status >= 500 || answer.status == 408 || answer.status == 429;
      result.error = aws_http::describe_failure(answer.status, answer.body);
      return result;
    }
    result.stored = true;
  } catch (const std::exception& e) {
    result.error = std::string("unexpected error: ") + e.what();
  } catch (...) {
    result.error = "unexpected error";
  }
  return result;
}

}  // namespace glacier
