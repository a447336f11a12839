// What access control costs one request, without the network: verifying the SigV4
// signature of a boto3 InitiateJob (fields read, body hashed, canonical request, HMAC), and
// evaluating a 20 KB Vault Lock policy for DeleteArchive (bench/auth_overhead.py's policy:
// 65 statements that all cover DeleteArchive and none of which matches).
#include <benchmark/benchmark.h>

#include <boost/url/parse.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "glacier/auth/actions.hpp"
#include "glacier/auth/callers.hpp"
#include "glacier/auth/request_context.hpp"
#include "glacier/auth/signature_verifier.hpp"
#include "glacier/auth/sigv4_fields.hpp"
#include "glacier/auth/vault_authorizer.hpp"
#include "glacier/aws/sigv4.hpp"
#include "glacier/aws/tree_hash.hpp"

namespace {

constexpr std::string_view key_id = "AKIABENCHEXAMPLE0001";
constexpr std::string_view secret = "bench/K7MDENG/bPxRfiCYEXAMPLEKEY0000001";
constexpr std::string_view account = "123456789012";
constexpr std::string_view initiate_body = R"({"Type":"inventory-retrieval"})";

// InitiateJob as boto3 sends it, signed now with the project's signer (byte for byte what
// botocore produces: the unit tests check the signer against botocore's signatures).
glacier::http::request signed_initiate(std::chrono::system_clock::time_point now) {
  const auto date = glacier::sigv4::amz_date(now);
  glacier::sigv4::request to_sign;
  to_sign.method = "POST";
  to_sign.path = "/-/vaults/bench/jobs";
  to_sign.headers = {{"Content-Type", "application/json"},
                     {"Host", "127.0.0.1:8080"},
                     {"X-Amz-Date", date},
                     {"x-amz-glacier-version", "2012-06-01"}};
  to_sign.payload = std::string(initiate_body);
  const auto authorization = glacier::sigv4::authorization(
      to_sign, {std::string(key_id), std::string(secret)}, "us-east-1", "glacier", date);

  glacier::http::request r;
  r.method = "POST";
  r.target = "/-/vaults/bench/jobs";
  r.headers = {{"Host", "127.0.0.1:8080"},
               {"Accept-Encoding", "identity"},
               {"User-Agent", "Boto3/1.26.27 Python/3.11.2 Linux/6.1.0 Botocore/1.29.27"},
               {"Content-Type", "application/json"},
               {"x-amz-glacier-version", "2012-06-01"},
               {"X-Amz-Date", date},
               {"Authorization", authorization},
               {"Content-Length", std::to_string(initiate_body.size())}};
  r.body = std::string(initiate_body);
  return r;
}

glacier::auth::caller_directory bench_callers() {
  glacier::credential_entry entry;
  entry.access_key_id = std::string(key_id);
  entry.secret_access_key = std::string(secret);
  entry.account_id = std::string(account);
  glacier::config cfg;
  cfg.credentials = {entry};
  return glacier::auth::caller_directory(cfg);
}

// Header verification as glacier::api::authenticate does it for a request without
// x-amz-content-sha256: fields read, the body's SHA-256, the signature checked.
void BM_verify_initiate_job_signature(benchmark::State& state) {
  const auto now = std::chrono::system_clock::now();
  const auto request = signed_initiate(now);
  const auto callers = bench_callers();
  glacier::auth::signing_key_cache keys;
  const auto url = *boost::urls::parse_origin_form(request.target);
  for (auto _ : state) {
    const auto fields = glacier::auth::read_sigv4_fields(request.headers, url);
    const auto payload_hash = glacier::to_hex(glacier::sha256(request.body));
    const glacier::auth::signed_request to_verify{request, url, payload_hash};
    const auto& who = glacier::auth::verify_signature(to_verify, fields, callers, keys, now);
    benchmark::DoNotOptimize(&who);
  }
}
BENCHMARK(BM_verify_initiate_job_signature);

// bench/auth_overhead.py's lock_policy(): just under 20 KB.
std::string lock_policy_text(const std::string& vault_arn) {
  using nlohmann::json;
  json statements = json::array(
      {{{"Sid", "deny-based-on-archive-age"},
        {"Principal", "*"},
        {"Effect", "Deny"},
        {"Action", "glacier:DeleteArchive"},
        {"Resource", vault_arn},
        {"Condition", {{"NumericLessThan", {{"glacier:ArchiveAgeInDays", "365"}}}}}},
       {{"Sid", "legal-hold"},
        {"Principal", "*"},
        {"Effect", "Deny"},
        {"Action", {"glacier:DeleteArchive", "glacier:DeleteVault"}},
        {"Resource", vault_arn},
        {"Condition",
         {{"StringLike", {{"glacier:ResourceTag/LegalHold", json::array({"true", ""})}}}}}}});
  for (int i = 0;; ++i) {
    const auto n = std::to_string(i);
    json statement = {
        {"Sid", "padding-" + n},
        {"Effect", "Deny"},
        {"Action", {"glacier:DeleteArchive", "glacier:Delete*"}},
        {"Resource",
         {vault_arn, "arn:aws:glacier:us-east-1:" + std::string(account) + ":vaults/other-" + n}}};
    if (i % 3 == 0) {
      statement["Principal"] = {
          {"AWS",
           {"arn:aws:iam::" + std::to_string(100000000000LL + i) + ":user/u" + n,
            std::to_string(200000000000LL + i)}}};
    } else if (i % 3 == 1) {
      statement["Principal"] = "*";
      statement["Condition"] = {
          {"StringEquals", {{"aws:username", {"intern-" + n, "contractor-" + n}}}}};
    } else {
      statement["Principal"] = "*";
      statement["Condition"] = {
          {"IpAddress",
           {{"aws:SourceIp", json::array({"198.51." + std::to_string(i % 250) + ".0/24"})}}}};
    }
    json candidate = statements;
    candidate.push_back(statement);
    if (json({{"Version", "2012-10-17"}, {"Statement", candidate}}).dump().size() >
        20 * 1024 - 64) {
      break;
    }
    statements = std::move(candidate);
  }
  return json({{"Version", "2012-10-17"}, {"Statement", statements}}).dump();
}

// The account's root deletes an archive a day old from a vault without tags, from
// 127.0.0.1: every statement is looked at, none matches.
void BM_authorize_delete_archive_20kb_lock(benchmark::State& state) {
  const std::string vault_arn =
      "arn:aws:glacier:us-east-1:" + std::string(account) + ":vaults/locked";
  const glacier::auth::vault_policies policies{
      std::make_shared<const glacier::auth::policy>(
          glacier::auth::parse_vault_policy(lock_policy_text(vault_arn))),
      nullptr};
  const auto who = glacier::auth::root_caller(std::string(key_id), std::string(account));
  const auto id = *glacier::auth::find_action("DeleteArchive");
  const auto now = glacier::time_point(std::chrono::hours(24 * 20000));
  const glacier::vault_tags no_tags;
  for (auto _ : state) {
    glacier::auth::glacier_request_context context(who, glacier::auth::glacier_actions()[id]);
    context.now = now;
    context.archive_created = now - std::chrono::hours(24 * 400);
    context.tags = &no_tags;
    context.source_ip = "127.0.0.1";
    context.region = "us-east-1";
    const glacier::auth::request_view request{who, glacier::auth::lower_action_names()[id],
                                              vault_arn, context, id};
    const auto result = glacier::auth::authorize(policies, request, false);
    if (result.verdict != glacier::auth::verdict::allowed) state.SkipWithError("denied");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_authorize_delete_archive_20kb_lock);

}  // namespace
