#include "core/token_issuer.hpp"

#include "crypto/jws.hpp"

namespace authd::core {

TokenIssuer::TokenIssuer(std::string secret, const Clock& clock)
    : secret_(std::move(secret)), clock_(clock) {}

std::string TokenIssuer::issue(boost::json::object claims, std::chrono::seconds ttl) const {
  const std::int64_t iat = util::to_unix_seconds(clock_.now());
  claims["iat"] = iat;
  claims["exp"] = iat + ttl.count();
  return crypto::sign_hs256(claims, secret_);
}

}  // namespace authd::core
