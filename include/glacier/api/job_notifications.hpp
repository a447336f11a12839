#pragma once

#include "glacier/jobs/notifier.hpp"
#include "glacier/store/store.hpp"

namespace glacier::api {

/// Publishes a completed job's DescribeJob JSON to its own SNSTopic and, when the vault's
/// configuration lists the job's event, to the vault's topic (spec Part 1 §11): one message
/// for each, also when both name the same topic.
void publish_job_notifications(notifier& notifications, const completed_job& done);

}  // namespace glacier::api
