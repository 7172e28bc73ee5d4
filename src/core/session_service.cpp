#include "core/session_service.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "core/security_log.hpp"
#include "crypto/base64url.hpp"
#include "crypto/digest.hpp"
#include "crypto/jws.hpp"

namespace authd::core {
namespace {

bool live(const store::SessionRecord& session, util::TimePoint now) {
  return !session.revoked_at && session.expires_at > now && session.user_active;
}

// "aud" may be one string or an array of strings (RFC 7519 §4.1.3).
bool audience_matches(const boost::json::value* aud, std::string_view expected) {
  if (aud == nullptr) return false;
  if (aud->is_string()) return aud->get_string() == expected;
  if (!aud->is_array()) return false;
  for (const auto& entry : aud->get_array()) {
    if (entry.is_string() && entry.get_string() == expected) return true;
  }
  return false;
}

std::optional<std::int64_t> parse_user_id(const boost::json::value* sub) {
  if (sub == nullptr || !sub->is_string()) return std::nullopt;
  const std::string_view text = sub->get_string();
  std::int64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size() || id <= 0) return std::nullopt;
  return id;
}

}  // namespace

bool is_session_id(std::string_view id) {
  return id.size() == kSessionIdLength && std::all_of(id.begin(), id.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

SessionService::SessionService(store::Store& store, KeyRing& keys, const Clock& clock,
                               SessionConfig config, std::string rotation_key, AuthEvents& events)
    : store_(store),
      keys_(keys),
      events_(events),
      clock_(clock),
      config_(std::move(config)),
      rotation_key_(std::move(rotation_key)),
      throttle_(store, clock, config_.throttle_key) {}

AuthError SessionService::store_failure(const boost::system::error_code& ec) const {
  return ec == store::StoreError::unavailable ? AuthError::store_unavailable : AuthError::internal;
}

std::string SessionService::next_refresh_token(std::string_view token) const {
  // "<sid>.<secret>" keeps its session's id; older tokens (before they named it) were the bare
  // secret and stay so.
  const auto dot = token.find('.');
  const std::string_view prefix = dot == std::string_view::npos ? "" : token.substr(0, dot + 1);
  return std::string(prefix).append(
      crypto::base64url_encode(crypto::hmac_sha256(rotation_key_, token)));
}

SessionService::Result<TokenPair> SessionService::reuse(const store::SessionRecord& session,
                                                        std::int64_t generation,
                                                        const ClientInfo& client) {
  // A replaced token, outside the grace window: someone holds a copy. End the session.
  if (auto revoked = store_.revoke_session(session.user_id, session.public_id, clock_.now());
      !revoked) {
    return store_failure(revoked.error());
  }
  log_security_event("refresh_token_reuse", client,
                     {{"user_id", session.user_id}, {"generation", generation}});
  events_.refresh("reused");
  return AuthError::refresh_token_reused;
}

SessionService::Result<TokenPair> SessionService::unknown_refresh_token(
    std::string_view refresh_token, const ClientInfo& client) {
  const auto invalid = [this]() -> Result<TokenPair> {
    events_.refresh("invalid");
    return AuthError::invalid_refresh_token;
  };
  const auto dot = refresh_token.find('.');
  if (dot != kSessionIdLength) return invalid();  // npos included
  auto found = store_.find_session(refresh_token.substr(0, dot));
  if (!found) return store_failure(found.error());
  if (!*found || !live(**found, clock_.now()) || (*found)->refresh_token_hash.empty()) {
    return invalid();
  }
  const store::SessionRecord& session = **found;
  // Derive forward: a genuine older token reaches the one the live token replaced (or the live
  // one) within as many steps as it is old. Nobody without the rotation key can make a token
  // that does, so a made-up one cannot end the session.
  std::string token(refresh_token);
  const std::int64_t steps = std::min(session.refresh_generation, kMaxReuseWalk);
  for (std::int64_t step = 1; step <= steps; ++step) {
    token = next_refresh_token(token);
    const std::string hash = crypto::sha256_hex(token);
    if (hash == session.previous_refresh_token_hash || hash == session.refresh_token_hash) {
      return reuse(session, session.refresh_generation - step, client);
    }
  }
  return invalid();
}

TokenPair SessionService::pair_for(const store::SessionRecord& session, std::string refresh_token,
                                   util::TimePoint issued_at) {
  const std::int64_t iat = util::to_unix_seconds(issued_at);
  // Every claim is a function of the session, the refresh token and the issue time, so a
  // replay within the grace window signs the very same token.
  const std::string jti = crypto::base64url_encode(
      crypto::hmac_sha256(rotation_key_, std::string("jti:").append(refresh_token)).substr(0, 16));
  boost::json::object claims{
      {"iss", config_.issuer},
      {"aud", config_.audience},
      {"sub", std::to_string(session.user_id)},
      {"sid", session.public_id},
      {"jti", jti},
      {"iat", iat},
      {"nbf", iat},
      {"exp", iat + config_.access_token_ttl.count()},
  };
  return {.access_token = keys_.sign(claims, issued_at),
          .refresh_token = std::move(refresh_token),
          .session_id = session.public_id,
          .expires_in = config_.access_token_ttl};
}

TokenPair SessionService::start(std::int64_t user_id, std::string_view session_id,
                                std::string_view refresh_token, util::TimePoint at) {
  store::SessionRecord session;
  session.user_id = user_id;
  session.public_id = session_id;
  return pair_for(session, std::string(refresh_token), at);
}

void SessionService::purge_now_and_then(util::TimePoint now) {
  // Ended sessions are deleted after a while (a week by default: long enough for an audit of
  // recent logouts and reuses).
  const std::uint64_t every = std::max<std::uint64_t>(config_.purge_every, 1);
  if (rotations_.fetch_add(1, std::memory_order_relaxed) % every != every - 1) return;
  if (auto purged = store_.purge_sessions(now - config_.ended_session_retention);
      purged && *purged > 0) {
    spdlog::info("sessions: purged {} ended session(s)", *purged);
  }
}

SessionService::Result<TokenPair> SessionService::refresh(std::string_view refresh_token,
                                                          const ClientInfo& client) {
  // Counted before the lookup, so that guessing tokens from one network is limited too.
  if (!client.network.empty()) {
    auto admitted = throttle_.admit({ThrottleScope::refresh_network, {}, client.network},
                                    config_.refreshes_per_network);
    if (!admitted) return store_failure(admitted.error());
    if (admitted->wait.count() > 0) return refresh_throttled(admitted->wait, client);
  }
  const std::string token_hash = crypto::sha256_hex(refresh_token);
  bool session_counted = false;
  // Two rounds at most: a lost compare-and-set re-reads once, and then finds its token one
  // generation behind (the grace path) or finds the session revoked.
  for (int round = 0; round < 2; ++round) {
    auto found = store_.find_refresh_token(token_hash);
    if (!found) return store_failure(found.error());
    if (!*found) return unknown_refresh_token(refresh_token, client);
    if (!live((*found)->session, clock_.now())) {
      events_.refresh("invalid");
      return AuthError::invalid_refresh_token;
    }
    const store::SessionRecord& session = (*found)->session;
    const std::int64_t generation = (*found)->generation;
    if (!session_counted) {
      session_counted = true;
      auto admitted = throttle_.admit({ThrottleScope::refresh_session, session.public_id, {}},
                                      config_.refreshes_per_session);
      if (!admitted) return store_failure(admitted.error());
      if (admitted->wait.count() > 0) return refresh_throttled(admitted->wait, client);
    }
    const util::TimePoint now = clock_.now();

    std::string next = next_refresh_token(refresh_token);
    if (generation == session.refresh_generation) {
      auto rotated =
          store_.rotate_refresh_token(session.id, generation, crypto::sha256_hex(next), now);
      if (!rotated) return store_failure(rotated.error());
      if (*rotated) {
        events_.refresh("rotated");
        purge_now_and_then(now);
        return pair_for(session, std::move(next), now);
      }
      continue;  // another request rotated it first
    }
    // Within the grace window either way: rotated_at comes from the clock of whichever
    // instance rotated, and this one may be slightly ahead or behind.
    if (generation + 1 == session.refresh_generation && session.rotated_at &&
        std::chrono::abs(now - *session.rotated_at) <= config_.refresh_grace) {
      log_security_event("refresh_grace_replay", client,
                         {{"user_id", session.user_id}, {"generation", generation}});
      events_.refresh("grace_replay");
      return pair_for(session, std::move(next), *session.rotated_at);
    }
    return reuse(session, generation, client);
  }
  return AuthError::invalid_refresh_token;
}

std::optional<VerifiedClaims> SessionService::verify(std::string_view access_token,
                                                     std::int64_t now) {
  const std::int64_t leeway = config_.leeway.count();
  if (auto cached = verified_.find(access_token)) {
    // Times are checked again on every use, and the signing key must still be published.
    // Issued times are ours and small; the subtraction form cannot overflow either way.
    if (now - leeway >= cached->expires || now + leeway < cached->not_before ||
        !keys_.public_key(cached->kid)) {
      return std::nullopt;
    }
    return cached;
  }
  auto verified_jws = crypto::verify_eddsa(
      access_token, [this](std::string_view kid) { return keys_.public_key(kid); },
      kAccessTokenType, {.now = now, .leeway_seconds = leeway});
  if (!verified_jws) return std::nullopt;
  const boost::json::object* claims = &verified_jws->claims;
  const boost::json::value* iss = claims->if_contains("iss");
  const boost::json::value* sid = claims->if_contains("sid");
  const boost::json::value* nbf = claims->if_contains("nbf");
  const auto user_id = parse_user_id(claims->if_contains("sub"));
  if (iss == nullptr || !iss->is_string() || iss->get_string() != config_.issuer ||
      !audience_matches(claims->if_contains("aud"), config_.audience) || !user_id ||
      sid == nullptr || !sid->is_string() || nbf == nullptr || !nbf->is_int64()) {
    return std::nullopt;
  }
  // verify_eddsa checked exp's type and value; tokens we issue carry it as an integer.
  const boost::json::value& exp = claims->at("exp");
  if (!exp.is_int64()) return std::nullopt;
  VerifiedClaims verified{.user_id = *user_id,
                          .session_id = std::string(sid->get_string()),
                          .kid = std::move(verified_jws->kid),
                          .not_before = nbf->get_int64(),
                          .expires = exp.get_int64()};
  verified_.insert(access_token, verified);
  return verified;
}

SessionService::Result<TokenPair> SessionService::refresh_throttled(std::chrono::seconds wait,
                                                                    const ClientInfo& client) {
  log_security_event("refresh_throttled", client, {{"retry_after", wait.count()}});
  events_.refresh("throttled");
  return AuthFailure{AuthError::throttled, wait};
}

SessionService::Result<Principal> SessionService::authenticate(std::string_view access_token) {
  const util::TimePoint now = clock_.now();
  const auto claims = verify(access_token, util::to_unix_seconds(now));
  if (!claims) return AuthError::invalid_token;
  // One read checks the session, reads its user and says whether the token's signing key was
  // revoked, so a revocation holds at once on every instance.
  auto session = store_.find_session(claims->session_id, claims->kid);
  if (!session) return store_failure(session.error());
  if (*session && (*session)->signing_key_revoked) {
    keys_.reload_soon();  // stop signing with it here too, without waiting for the next reload
    return AuthError::invalid_token;
  }
  if (!*session || (*session)->user_id != claims->user_id || !live(**session, now)) {
    return AuthError::invalid_token;
  }
  // Our own tokens' exp is minutes after their iat: no overflow in milliseconds.
  const auto token_ends =
      util::from_unix_millis((claims->expires + config_.leeway.count()) * std::int64_t{1000});
  return Principal{.user_id = claims->user_id,
                   .session_id = claims->session_id,
                   .user = view_of(std::move((*session)->owner)),
                   .kid = claims->kid,
                   .valid_until = std::min(token_ends, (*session)->expires_at)};
}

SessionService::Result<void> SessionService::revoke(const Principal& caller,
                                                    std::string_view session_id,
                                                    const ClientInfo& client) {
  auto revoked = store_.revoke_session(caller.user_id, session_id, clock_.now());
  if (!revoked) return store_failure(revoked.error());
  if (!*revoked) return AuthError::session_not_found;
  log_security_event("logout", client,
                     {{"user_id", caller.user_id}, {"current", session_id == caller.session_id}});
  return {};
}

SessionService::Result<std::int64_t> SessionService::revoke_all(const Principal& caller,
                                                                const ClientInfo& client) {
  auto revoked = store_.revoke_user_sessions(caller.user_id, clock_.now());
  if (!revoked) return store_failure(revoked.error());
  log_security_event("logout_all", client, {{"user_id", caller.user_id}, {"sessions", *revoked}});
  return *revoked;
}

SessionService::Result<std::vector<store::SessionRecord>> SessionService::list(
    const Principal& caller) {
  auto sessions =
      store_.list_live_sessions(caller.user_id, store::SessionFamily::rotating, clock_.now());
  if (!sessions) return store_failure(sessions.error());
  return std::move(*sessions);
}

}  // namespace authd::core
