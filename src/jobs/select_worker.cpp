#include "glacier/jobs/select_worker.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <exception>

#include "glacier/aws/s3_client.hpp"
#include "glacier/jobs/select/engine.hpp"
#include "glacier/jobs/select/output_layout.hpp"
#include "glacier/jobs/select/query.hpp"
#include "glacier/jobs/select/s3_headers.hpp"
#include "glacier/jobs/retry.hpp"

namespace glacier {

namespace {


// arn:aws:glacier:REGION:ACCOUNT:vaults/NAME; the output bucket is in the vault's region.
std::string region_of(const std::string& vault_arn) {
  std::size_t start = 0;
  for (int field = 0; field < 3; ++field) start = vault_arn.find(':', start) + 1;
  return vault_arn.substr(start, vault_arn.find(':', start) - start);
}

}  // namespace

select_worker::select_worker(const config& cfg, const clock& clock, store& store,
                             describe_function describe)
    : config_(cfg), clock_(clock), store_(store), describe_(std::move(describe)) {}

select_worker::~select_worker() {
  stop();
}

void select_worker::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  interrupt_ = false;
  thread_ = std::thread([this] { loop(); });
}

void select_worker::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  interrupt_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void select_worker::submit(select_work work) {
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(work));
  }
  wake_.notify_one();
}

std::size_t select_worker::run_pending() {
  std::size_t ran = 0;
  for (;;) {
    select_work work;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return ran;
      work = std::move(queue_.front());
      queue_.pop_front();
    }
    run(std::move(work));
    ++ran;
  }
}

void select_worker::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (queue_.empty()) {
      wake_.wait(lock);
      continue;
    }
    auto work = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    // run() reports its own failures; this keeps the thread for the next job.
    try {
      run(std::move(work));
    } catch (const std::exception& e) {
      spdlog::error("select worker: {}", e.what());
    }
    lock.lock();
  }
}

bool select_worker::wait_or_stop(duration how_long) {
  std::unique_lock lock(mutex_);
  return wake_.wait_for(lock, how_long, [this] { return stopping_; });
}

void select_worker::run(select_work work) {
  const auto& j = work.job;
  const auto& request = *j.parameters.select;
  const auto path = j.output_path();
  auto output = std::make_shared<select_output>();
  std::optional<std::string> failure;
  auto fail = [&](const std::string& code, const std::string& message) {
    failure = code + ": " + message;
    output->objects =
        select::failure_objects(request.location.bucket, path, describe_(j), code, message);
  };

  if (!work.archive) {
    fail("ArchiveNotFound",
         "The archive was deleted before the select job completed: " + *j.parameters.archive_id);
  } else {
    try {
      const auto now_micros = clock_.now().time_since_epoch().count() * 1000;
      const auto started = std::chrono::steady_clock::now();
      auto result =
          select::run_query(*work.archive, request, now_micros,
                            static_cast<std::size_t>(config_.select_part_bytes), &interrupt_);
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started);
      spdlog::info("select job {}: {} records read, {} returned in {} part(s), {} ms", j.id,
                   result.records_read, result.records_returned, result.parts.size(), took.count());
      output->objects = select::success_objects(request.location.bucket, path, describe_(j),
                                                std::move(result.parts));
    } catch (const select::select_error& e) {
      if (e.code() == "Interrupted" && interrupt_) return;  // stopping: the job stays pending
      spdlog::info("select job {} failed: {}: {}", j.id, e.code(), e.what());
      fail(e.code(), e.what());
    }
  }

  if (config_.s3_endpoint.empty()) {
    output->delivery = "kept";
  } else if (!deliver(j, *output)) {
    if (interrupt_) return;
    // A result that cannot be written is a failed job; the query's own error, if any,
    // stays the reason.
    if (!failure) {
      failure = "The select output could not be written to S3: " + output->delivery_error;
    }
  }

  const auto completion = std::max(j.due, clock_.now());
  const auto done = store_.finish_select(j.sequence, completion, output, failure);
  if (done && finished_) finished_(*done);
}

bool select_worker::deliver(const job& j, select_output& out) {
  std::optional<s3_client> client;
  try {
    client.emplace(parse_http_endpoint(config_.s3_endpoint),
                   sigv4::credentials{config_.s3_access_key_id, config_.s3_secret_access_key},
                   config_.s3_timeout);
  } catch (const std::exception& e) {
    // Config validation rejects a bad endpoint, so only a hand-built config gets here.
    out.delivery = "failed";
    out.delivery_error = std::string("bad S3 endpoint: ") + e.what();
    return false;
  }
  const auto& location = j.parameters.select->location;
  const auto headers = select::put_object_headers(location);
  const auto region = region_of(j.vault_arn);
  const auto path = j.output_path();
  const unsigned max_attempts = std::max(1U, config_.s3_max_attempts);
  for (const auto& object : out.objects) {
    const auto key = path + object.key;
    auto backoff = config_.s3_retry_backoff;
    for (unsigned attempt = 1;; ++attempt) {
      ++out.attempts;
      const auto result = client->put_object(region, location.bucket, key, *object.body,
                                             object.content_type, headers);
      if (result.stored) break;
      if (attempt >= max_attempts || !result.retryable || interrupt_) {
        out.delivery = "failed";
        out.delivery_error = "s3://" + location.bucket + "/" + key + ": " + result.error;
        spdlog::warn("select job {}: writing {} failed after {} attempt(s)", j.id,
                     out.delivery_error, attempt);
        return false;
      }
      spdlog::debug("select job {}: PutObject {} failed ({}), retrying in {} ms", j.id, key,
                    result.error, backoff.count());
      if (wait_or_stop(backoff)) {
        out.delivery = "failed";
        out.delivery_error = "stopped while retrying s3://" + location.bucket + "/" + key;
        return false;
      }
      backoff = std::min(backoff * 2, max_retry_wait);
    }
  }
  out.delivery = "delivered";
  return true;
}

}  // namespace glacier
