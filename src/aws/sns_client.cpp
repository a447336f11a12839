#include "glacier/aws/sns_client.hpp"

#include <boost/beast/http/string_body.hpp>
#include <exception>
#include <utility>

#include "http_call.hpp"

namespace glacier {

namespace {

namespace bhttp = boost::beast::http;

std::string xml_unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '&') {
      out += text[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> entities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool replaced = false;
    for (const auto& [entity, c] : entities) {
      if (text.substr(i, entity.size()) == entity) {
        out += c;
        i += entity.size() - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out += '&';
  }
  return out;
}

}  // namespace

std::string form_urlencode(std::string_view text) {
  static constexpr char digits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3 / 2);
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += digits[u >> 4];
      out += digits[u & 0x0f];
    }
  }
  return out;
}

std::optional<std::string> region_of_topic_arn(std::string_view arn) {
  // arn:PARTITION:sns:REGION:ACCOUNT:NAME
  std::size_t start = 0;
  for (int field = 0; field < 3; ++field) {
    const auto colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    start = colon + 1;
  }
  const auto end = arn.find(':', start);
  if (end == std::string_view::npos || end == start) return std::nullopt;
  return std::string(arn.substr(start, end - start));
}

std::optional<std::string> xml_element(std::string_view xml, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  const auto begin = xml.find(open);
  if (begin == std::string_view::npos) return std::nullopt;
  const auto first = begin + open.size();
  const auto end = xml.find(close, first);
  if (end == std::string_view::npos) return std::nullopt;
  return xml_unescape(xml.substr(first, end - first));
}

sns_client::sns_client(sns_endpoint endpoint, sigv4::credentials creds, std::string fallback_region,
                       duration timeout)
    : endpoint_(std::move(endpoint)),
      creds_(std::move(creds)),
      fallback_region_(std::move(fallback_region)),
      timeout_(timeout) {}

sns_publish_result sns_client::publish(const std::string& topic_arn,
                                       const std::string& message) const {
  sns_publish_result result;
  try {
    const auto host = aws_http::host_header(endpoint_);
    const auto date = sigv4::amz_date(std::chrono::system_clock::now());
    sigv4::request to_sign;
    to_sign.method = "POST";
    to_sign.path = "/";
    to_sign.headers = {{"Content-Type", "application/x-www-form-urlencoded; charset=utf-8"},
                       {"Host", host},
                       {"X-Amz-Date", date}};
    to_sign.payload = "Action=Publish&Version=2010-03-31&TopicArn=" + form_urlencode(topic_arn) +
                      "&Message=" + form_urlencode(message);
    const auto region = region_of_topic_arn(topic_arn).value_or(fallback_region_);

    bhttp::request<bhttp::string_body> req{bhttp::verb::post, "/", 11};
    for (const auto& [name, value] : to_sign.headers) req.set(name, value);
    req.set(bhttp::field::authorization,
            sigv4::authorization(to_sign, creds_, region, "sns", date));
    req.set(bhttp::field::connection, "close");
    req.body() = std::move(to_sign.payload);
    req.prepare_payload();

    auto answer = aws_http::exchange(endpoint_, req, timeout_);
    if (!answer.answered) {
      result.error = std::move(answer.error);
      return result;
    }
    if (answer.status != 200) {
      result.error = aws_http::describe_failure(answer.status, answer.body);
      return result;
    }
    result.delivered = true;
    result.message_id = xml_element(answer.body, "MessageId").value_or("");
  } catch (const std::exception& e) {
    result.delivered = false;
    result.error = std::string("unexpected error: ") + e.what();
  } catch (...) {
    result.delivered = false;
    result.error = "unexpected error";
  }
  return result;
}

}  // namespace glacier
