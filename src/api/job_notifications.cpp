#include "glacier/api/job_notifications.hpp"

#include <algorithm>

#include "glacier/api/job_json.hpp"

namespace glacier::api {

void publish_job_notifications(notifier& notifications, const completed_job& done) {
  const auto& j = done.job;
  std::optional<std::string> vault_topic;
  if (done.vault_notifications) {
    const auto& events = done.vault_notifications->events;
    const char* event = j.parameters.action == job_action::inventory_retrieval
                            ? "InventoryRetrievalCompleted"
                            : "ArchiveRetrievalCompleted";
    if (std::find(events.begin(), events.end(), event) != events.end()) {
      vault_topic = done.vault_notifications->sns_topic;
    }
  }
  if (!j.parameters.sns_topic && !vault_topic) return;
  const auto message = job_description_body(j);
  // One message per source, even when the job and the vault name the same topic: AWS's
  // InitiateJob page says Glacier sends both notifications (README, "Fidelity notes").
  if (j.parameters.sns_topic) notifications.publish(*j.parameters.sns_topic, j.id, message);
  if (vault_topic) notifications.publish(*vault_topic, j.id, message);
}

}  // namespace glacier::api
