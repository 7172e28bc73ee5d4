#include "core/mail_outbox.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "crypto/random.hpp"
#include "crypto/sealing.hpp"

namespace authd::core {

store::OutboxMessage MailOutbox::prepare(const OutgoingMail& mail, util::TimePoint now,
                                         util::TimePoint not_after) const {
  boost::json::object values;
  for (const auto& [name, value] : mail.values) values[name] = value;
  const std::string payload =
      boost::json::serialize(boost::json::object{{"to", mail.to}, {"values", std::move(values)}});
  std::string message_id = crypto::random_token(18) + "@" + domain_;
  std::string sealed = crypto::seal(sealing_key_, payload, message_id);
  return {.template_name = std::string(mail::template_name(mail.which)),
          .message_id = std::move(message_id),
          .sealed_payload = std::move(sealed),
          .created_at = now,
          .not_after = not_after};
}

std::optional<OutgoingMail> MailOutbox::open(const store::ClaimedMail& claimed) const {
  const auto which = mail::template_from_name(claimed.template_name);
  if (!which) return std::nullopt;
  const auto payload = crypto::unseal(sealing_key_, claimed.sealed_payload, claimed.message_id);
  if (!payload) return std::nullopt;
  boost::system::error_code ec;
  const boost::json::value parsed = boost::json::parse(*payload, ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  const auto& object = parsed.get_object();
  const auto* to = object.if_contains("to");
  const auto* values = object.if_contains("values");
  if (!to || !to->is_string() || !values || !values->is_object()) return std::nullopt;
  OutgoingMail mail{.which = *which, .to = std::string(to->get_string()), .values = {}};
  for (const auto& [name, value] : values->get_object()) {
    if (!value.is_string()) return std::nullopt;
    mail.values.emplace(std::string(name), std::string(value.get_string()));
  }
  return mail;
}

}  // namespace authd::core
