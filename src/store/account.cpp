// The account-level half of glacier::store: data retrieval policy, provisioned capacity
// and the retrieval accounting that enforces them on InitiateJob (spec Part 1 §9, §10).
#include "glacier/core/error.hpp"
#include "state.hpp"

namespace glacier {

namespace {

constexpr std::size_t max_capacity_units = 2;
constexpr duration five_minutes{5LL * 60 * 1000};
constexpr duration one_hour{3600LL * 1000};
constexpr duration one_day{24LL * 3600 * 1000};
constexpr std::uint64_t expedited_per_unit = 3;

/// One calendar month later, same time of day (clamped to the month's last day).
time_point one_month_after(time_point t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{sys_days{day}};
  auto next = ymd + months{1};
  if (!next.ok()) next = next.year() / next.month() / last;
  return time_point_cast<duration>(sys_days{next}) + (t - time_point_cast<duration>(day));
}

}  // namespace

retrieval_policy store::data_retrieval_policy(const scope& where) const {
  std::lock_guard lock(mutex_);
  const auto it = scopes_.find(where);
  return it == scopes_.end() ? retrieval_policy{} : it->second.policy;
}

void store::set_data_retrieval_policy(const scope& where, retrieval_policy policy) {
  std::lock_guard lock(mutex_);
  auto& account = scopes_[where];
  auto before = std::move(account.policy);
  account.policy = std::move(policy);
  try {
    record_account(where, account);
  } catch (...) {
    account.policy = std::move(before);
    throw;
  }
}

provisioned_capacity store::purchase_capacity(const scope& where) {
  const auto now = clock_.now();
  auto id = ids_.capacity_id();
  std::lock_guard lock(mutex_);
  auto& units = scopes_[where].capacity;
  std::erase_if(units, [&](const provisioned_capacity& u) { return u.expiration_date <= now; });
  if (units.size() >= max_capacity_units) {
    throw error(error_code::limit_exceeded,
                "An account can have at most 2 provisioned capacity units");
  }
  // Whole seconds, as the docs' examples show (.000Z).
  const auto start = std::chrono::floor<std::chrono::seconds>(now);
  units.push_back(provisioned_capacity{std::move(id), start, one_month_after(start)});
  try {
    record_account(where, scopes_[where]);
  } catch (...) {
    units.pop_back();
    throw;
  }
  return units.back();
}

std::vector<provisioned_capacity> store::capacity(const scope& where) const {
  std::lock_guard lock(mutex_);
  const auto it = scopes_.find(where);
  return it == scopes_.end() ? std::vector<provisioned_capacity>{} : it->second.capacity;
}

void store::admit_retrieval(scope_state& account, const job& j, time_point now) {
  if (j.parameters.action != job_action::archive_retrieval) return;
  auto& recent = account.recent_retrievals;
  while (!recent.empty() && recent.front().started + one_day <= now) recent.pop_front();
  const auto bytes = j.retrieved.length();
  const auto tier = j.parameters.tier;

  if (tier == retrieval_tier::expedited) {
    if (config_.expedited_on_demand_per_5min) {
      std::uint64_t started = 0;
      for (const auto& r : recent) {
        started += r.tier == retrieval_tier::expedited && r.started + five_minutes > now;
      }
      std::uint64_t units = 0;
      for (const auto& u : account.capacity) units += u.expiration_date > now;
      if (started >= *config_.expedited_on_demand_per_5min + expedited_per_unit * units) {
        throw error(error_code::insufficient_capacity,
                    "There is not enough capacity to process this Expedited retrieval: " +
                        std::to_string(started) + " started in the last 5 minutes");
      }
    }
  } else if (tier == retrieval_tier::standard && account.policy.strategy != "None") {
    // A data retrieval policy "applies only to Standard retrievals" (the developer guide's
    // data-retrieval-policy page; spec Part 1 §10): Bulk is neither refused nor counted.
    const bool hourly = account.policy.strategy == "BytesPerHour";
    const auto window = hourly ? one_hour : one_day;
    const auto limit =
        hourly ? account.policy.bytes_per_hour.value_or(0) : config_.free_tier_bytes_per_day;
    std::uint64_t total = bytes;
    for (const auto& r : recent) {
      if (r.tier == retrieval_tier::standard && r.started + window > now) total += r.bytes;
    }
    if (total > limit) {
      throw error(error_code::policy_enforced,
                  "InitiateJob request denied by current data retrieval policy.");
    }
  }
}

void store::count_retrieval(scope_state& account, const job& j, time_point now) {
  if (j.parameters.action != job_action::archive_retrieval) return;
  account.recent_retrievals.push_back({now, j.retrieved.length(), j.parameters.tier});
}

}  // namespace glacier
