// Issues the HS256 JSON Web Tokens the seed dialects hand out. Which claims a token carries and
// how long it lives is each dialect's documented contract; signing, iat and exp are done here.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <string>

#include "core/clock.hpp"

namespace authd::core {

class TokenIssuer {
 public:
  TokenIssuer(std::string secret, const Clock& clock);

  // Returns a compact JWS of `claims` plus iat (now) and exp (now + ttl), in that order.
  std::string issue(boost::json::object claims, std::chrono::seconds ttl) const;

 private:
  std::string secret_;
  const Clock& clock_;
};

}  // namespace authd::core
