// X-Request-Id values: unique, so a log line and a client's report can be matched, but not
// secret (the client is shown its own). Drawing 12 bytes from the CSPRNG for every request cost
// about 5% of the gateway check's CPU (OpenSSL's DRBG locks and reads the pid each call), so
// each thread draws a random prefix once and counts after it.
#pragma once

#include <string>

namespace authd::http {

// 16 base64url characters: 8 random bytes chosen per thread, then a 4-byte counter (a new
// prefix is drawn when it wraps). Ids of different threads and processes differ with
// overwhelming probability; ids of one thread never repeat.
std::string next_request_id();

}  // namespace authd::http
