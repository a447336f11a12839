#include "glacier/jobs/notifier.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "glacier/aws/sigv4.hpp"
#include "glacier/aws/sns_client.hpp"
#include "glacier/core/clock.hpp"

namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

// How the fake SNS answers one Publish.
enum class answer { ok, server_error, not_found, silent };

// One request as the fake SNS received it.
struct received {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

// A tiny SNS stand-in on a loopback port: answers each request per `script` (its last entry
// repeats), one request per connection, and keeps what it received.
class fake_sns {
 public:
  explicit fake_sns(std::vector<answer> script)
      : script_(std::move(script)),
        acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        port_(acceptor_.local_endpoint().port()),
        thread_([this] { serve(); }) {}

  ~fake_sns() {
    stopping_ = true;
    // Wakes the blocking accept; the loop sees stopping_ and ends.
    try {
      asio::io_context ioc;
      tcp::socket poke(ioc);
      poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
    } catch (const std::exception&) {
    }
    thread_.join();
  }
  fake_sns(const fake_sns&) = delete;
  fake_sns& operator=(const fake_sns&) = delete;

  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }

  std::vector<received> requests() const {
    const std::lock_guard lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    std::vector<tcp::socket> held;  // silent answers keep their connection open
    for (std::size_t n = 0;; ++n) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (stopping_) return;
      if (ec) continue;
      beast::flat_buffer buffer;
      bhttp::request<bhttp::string_body> req;
      bhttp::read(socket, buffer, req, ec);
      if (ec) continue;
      received r{std::string(req.method_string()), std::string(req.target()), {}, req.body()};
      for (const auto& field : req) {
        std::string name(field.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        r.headers[name] = std::string(field.value());
      }
      {
        const std::lock_guard lock(mutex_);
        requests_.push_back(std::move(r));
      }
      const auto what = script_[std::min(n, script_.size() - 1)];
      if (what == answer::silent) {
        held.push_back(std::move(socket));
        continue;
      }
      bhttp::response<bhttp::string_body> res;
      res.version(11);
      res.set(bhttp::field::content_type, "text/xml");
      if (what == answer::ok) {
        res.result(200);
        res.body() =
            "<PublishResponse xmlns=\"https://sns.amazonaws.com/doc/2010-03-31/\"><PublishResult>"
            "<MessageId>msg-" +
            std::to_string(n + 1) +
            "</MessageId></PublishResult><ResponseMetadata><RequestId>r</RequestId>"
            "</ResponseMetadata></PublishResponse>";
      } else if (what == answer::server_error) {
        res.result(500);
        res.body() =
            "<ErrorResponse><Error><Type>Receiver</Type><Code>InternalError</Code>"
            "<Message>boom &amp; bust</Message></Error></ErrorResponse>";
      } else {
        res.result(404);
        res.body() =
            "<ErrorResponse><Error><Type>Sender</Type><Code>NotFound</Code>"
            "<Message>Topic does not exist</Message></Error></ErrorResponse>";
      }
      res.prepare_payload();
      bhttp::write(socket, res, ec);
    }
  }

  std::vector<answer> script_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::uint16_t port_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<received> requests_;
  std::thread thread_;
};

// A loopback port with nothing listening on it.
std::uint16_t closed_port() {
  asio::io_context ioc;
  tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return acceptor.local_endpoint().port();
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::map<std::string, std::string> form_fields(const std::string& body) {
  std::map<std::string, std::string> fields;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = body.find('&', start);
    if (end == std::string::npos) end = body.size();
    const auto pair = std::string_view(body).substr(start, end - start);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos) {
      fields[percent_decode(pair.substr(0, equals))] = percent_decode(pair.substr(equals + 1));
    }
    start = end + 1;
  }
  return fields;
}

glacier::config delivery_config(const std::string& endpoint) {
  glacier::config cfg;
  cfg.sns_endpoint = endpoint;
  cfg.sns_access_key_id = "AKIDTEST";
  cfg.sns_secret_access_key = "secret";
  cfg.sns_max_attempts = 3;
  cfg.sns_retry_backoff = glacier::duration(10);
  cfg.sns_timeout = glacier::duration(1000);
  return cfg;
}

// The record with `id` once `done` holds for it; fails the test after `within`.
glacier::notification_record wait_for_record(
    const glacier::notifier& n, std::uint64_t id,
    const std::function<bool(const glacier::notification_record&)>& done,
    std::chrono::milliseconds within = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    for (const auto& r : n.records()) {
      if (r.id == id && done(r)) return r;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ADD_FAILURE() << "notification " << id << " did not reach the expected state";
      for (const auto& r : n.records()) {
        if (r.id == id) return r;
      }
      return {};
    }
    std::this_thread::sleep_for(5ms);
  }
}

bool settled(const glacier::notification_record& r) {
  return r.status == "delivered" || r.status == "failed";
}

constexpr auto topic = "arn:aws:sns:eu-west-1:123456789012:job-events";

class notifier_test : public ::testing::Test {
 protected:
  glacier::manual_clock clock_{glacier::time_point(glacier::duration(1'700'000'000'000))};
};

TEST_F(notifier_test, delivers_a_signed_publish_and_records_the_message_id) {
  fake_sns sns({answer::ok});
  const auto cfg = delivery_config(sns.endpoint());
  glacier::notifier n(cfg, clock_);
  n.start();
  const std::string message = R"({"JobId":"job-1","Note":"a b&c=d+é"})";
  n.publish(topic, "job-1", message);

  const auto record = wait_for_record(n, 1, settled);
  EXPECT_EQ(record.status, "delivered");
  EXPECT_EQ(record.attempts, 1U);
  EXPECT_EQ(record.sns_message_id, "msg-1");
  EXPECT_TRUE(record.error.empty()) << record.error;

  const auto requests = sns.requests();
  ASSERT_EQ(requests.size(), 1U);
  const auto& req = requests[0];
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.target, "/");
  EXPECT_EQ(req.headers.at("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
  const auto fields = form_fields(req.body);
  EXPECT_EQ(fields.at("Action"), "Publish");
  EXPECT_EQ(fields.at("Version"), "2010-03-31");
  EXPECT_EQ(fields.at("TopicArn"), topic);
  EXPECT_EQ(fields.at("Message"), message);

  // Signed for SNS in the topic's region, and the signature checks out.
  const auto& auth = req.headers.at("authorization");
  EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDTEST/", 0), 0U) << auth;
  EXPECT_NE(auth.find("/eu-west-1/sns/aws4_request"), std::string::npos) << auth;
  glacier::sigv4::request check;
  check.method = "POST";
  check.path = "/";
  check.headers = {{"content-type", req.headers.at("content-type")},
                   {"host", req.headers.at("host")},
                   {"x-amz-date", req.headers.at("x-amz-date")}};
  check.payload = req.body;
  EXPECT_EQ(auth, glacier::sigv4::authorization(check, {"AKIDTEST", "secret"}, "eu-west-1", "sns",
                                                req.headers.at("x-amz-date")));
}

TEST_F(notifier_test, retries_failed_publishes_with_doubling_backoff_then_delivers) {
  fake_sns sns({answer::server_error, answer::server_error, answer::ok});
  auto cfg = delivery_config(sns.endpoint());
  cfg.sns_retry_backoff = glacier::duration(60);
  glacier::notifier n(cfg, clock_);
  n.start();
  const auto started = std::chrono::steady_clock::now();
  n.publish(topic, "job-1", "{}");

  const auto record = wait_for_record(n, 1, settled);
  EXPECT_EQ(record.status, "delivered");
  EXPECT_EQ(record.attempts, 3U);
  EXPECT_EQ(record.sns_message_id, "msg-3");
  EXPECT_TRUE(record.error.empty()) << record.error;
  EXPECT_EQ(sns.requests().size(), 3U);
  // 60 ms, then 120 ms.
  EXPECT_GE(std::chrono::steady_clock::now() - started, 180ms);
}

TEST_F(notifier_test, gives_up_after_max_attempts_with_the_last_error) {
  fake_sns sns({answer::server_error, answer::not_found});
  auto cfg = delivery_config(sns.endpoint());
  cfg.sns_max_attempts = 4;
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", "{}");

  const auto record = wait_for_record(n, 1, settled);
  EXPECT_EQ(record.status, "failed");
  EXPECT_EQ(record.attempts, 4U);
  EXPECT_EQ(record.error, "HTTP 404 NotFound: Topic does not exist");
  EXPECT_EQ(sns.requests().size(), 4U);
}

TEST_F(notifier_test, server_error_text_is_unescaped_from_the_xml) {
  fake_sns sns({answer::server_error});
  auto cfg = delivery_config(sns.endpoint());
  cfg.sns_max_attempts = 1;
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", "{}");
  const auto record = wait_for_record(n, 1, settled);
  EXPECT_EQ(record.status, "failed");
  EXPECT_EQ(record.error, "HTTP 500 InternalError: boom & bust");
}

TEST_F(notifier_test, endpoint_down_fails_after_every_attempt_and_later_ones_still_go_out) {
  auto cfg = delivery_config("http://127.0.0.1:" + std::to_string(closed_port()));
  cfg.sns_retry_backoff = glacier::duration(1);
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", "{}");
  n.publish(topic, "job-2", "{}");

  for (std::uint64_t id : {1U, 2U}) {
    const auto record = wait_for_record(n, id, settled);
    EXPECT_EQ(record.status, "failed");
    EXPECT_EQ(record.attempts, 3U);
    EXPECT_NE(record.error.find("cannot connect"), std::string::npos) << record.error;
  }
  EXPECT_EQ(n.counts_by_status().at("failed"), 2U);
}

TEST_F(notifier_test, silent_endpoint_times_out_each_attempt) {
  fake_sns sns({answer::silent});
  auto cfg = delivery_config(sns.endpoint());
  cfg.sns_max_attempts = 2;
  cfg.sns_timeout = glacier::duration(150);
  glacier::notifier n(cfg, clock_);
  n.start();
  const auto started = std::chrono::steady_clock::now();
  n.publish(topic, "job-1", "{}");

  const auto record = wait_for_record(n, 1, settled);
  EXPECT_EQ(record.status, "failed");
  EXPECT_EQ(record.attempts, 2U);
  EXPECT_NE(record.error.find("timed out after 150 ms"), std::string::npos) << record.error;
  EXPECT_GE(std::chrono::steady_clock::now() - started, 300ms);
}

TEST_F(notifier_test, records_stay_readable_while_a_publish_is_in_flight) {
  fake_sns sns({answer::silent});
  auto cfg = delivery_config(sns.endpoint());
  cfg.sns_max_attempts = 1;
  cfg.sns_timeout = glacier::duration(2000);
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", "{}");
  const auto deadline = std::chrono::steady_clock::now() + 2s;
  while (sns.requests().empty() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(sns.requests().size(), 1U);

  // The delivery thread is now blocked on the silent endpoint; the lock must be free.
  const auto before = std::chrono::steady_clock::now();
  const auto records = n.records();
  n.publish(topic, "job-2", "{}");
  EXPECT_LT(std::chrono::steady_clock::now() - before, 100ms);
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].status, "pending");
}

TEST_F(notifier_test, stop_interrupts_the_retry_wait_and_leaves_the_record_pending) {
  auto cfg = delivery_config("http://127.0.0.1:" + std::to_string(closed_port()));
  cfg.sns_retry_backoff = glacier::duration(30'000);
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", "{}");
  wait_for_record(n, 1, [](const auto& r) { return r.attempts == 1; });

  const auto before = std::chrono::steady_clock::now();
  n.stop();
  EXPECT_LT(std::chrono::steady_clock::now() - before, 1s);
  const auto records = n.records();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].status, "pending");
  EXPECT_EQ(records[0].attempts, 1U);
  EXPECT_FALSE(records[0].error.empty());
}

TEST_F(notifier_test, clear_during_the_retry_wait_abandons_the_delivery) {
  auto cfg = delivery_config("http://127.0.0.1:" + std::to_string(closed_port()));
  cfg.sns_retry_backoff = glacier::duration(100);
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", "{}");
  wait_for_record(n, 1, [](const auto& r) { return r.attempts == 1; });
  n.clear();
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(n.records().empty());
}

TEST_F(notifier_test, without_an_endpoint_notifications_are_only_recorded) {
  glacier::config cfg;
  glacier::notifier n(cfg, clock_);
  n.start();
  n.publish(topic, "job-1", R"({"JobId":"job-1"})");
  const auto records = n.records();
  ASSERT_EQ(records.size(), 1U);
  EXPECT_EQ(records[0].status, "recorded");
  EXPECT_EQ(records[0].attempts, 0U);
  EXPECT_EQ(records[0].topic_arn, topic);
  EXPECT_EQ(records[0].created, clock_.now());
}

TEST(sns_client, parses_plain_http_endpoints_only) {
  auto e = glacier::parse_sns_endpoint("http://127.0.0.1:4566");
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 4566);
  e = glacier::parse_sns_endpoint("http://localstack/");
  EXPECT_EQ(e.host, "localstack");
  EXPECT_EQ(e.port, 80);
  e = glacier::parse_sns_endpoint("http://[::1]:9911");
  EXPECT_EQ(e.host, "::1");
  EXPECT_EQ(e.port, 9911);
  EXPECT_THROW(glacier::parse_sns_endpoint("https://sns.amazonaws.com"), std::invalid_argument);
  EXPECT_THROW(glacier::parse_sns_endpoint("127.0.0.1:4566"), std::invalid_argument);
  EXPECT_THROW(glacier::parse_sns_endpoint("http://h:4566/x"), std::invalid_argument);
}

TEST(sns_client, form_encoding_escapes_all_but_unreserved_characters) {
  EXPECT_EQ(glacier::form_urlencode("aZ09-_.~"), "aZ09-_.~");
  EXPECT_EQ(glacier::form_urlencode("a b&c=d+/:\"é"), "a%20b%26c%3Dd%2B%2F%3A%22%C3%A9");
}

TEST(sns_client, region_comes_from_the_topic_arn) {
  EXPECT_EQ(glacier::region_of_topic_arn("arn:aws:sns:ap-south-1:123456789012:t"), "ap-south-1");
  EXPECT_EQ(glacier::region_of_topic_arn("arn:aws:sns::123456789012:t"), std::nullopt);
  EXPECT_EQ(glacier::region_of_topic_arn("not-an-arn"), std::nullopt);
}

TEST(sns_client, xml_element_finds_and_unescapes_text) {
  EXPECT_EQ(glacier::xml_element("<a><MessageId>m-1</MessageId></a>", "MessageId"), "m-1");
  EXPECT_EQ(glacier::xml_element("<Message>x &lt;y&gt; &amp; &quot;z&quot;</Message>", "Message"),
            "x <y> & \"z\"");
  EXPECT_EQ(glacier::xml_element("<a/>", "MessageId"), std::nullopt);
}

}  // namespace
