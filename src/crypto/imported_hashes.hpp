// Password hashes authd meets only in an import (`authd import jsonl`): argon2i, scrypt and
// PBKDF2-SHA256 in their PHC string form. They are verified at their owner's first login and
// then replaced by the configured algorithm's hash (PasswordHasher::needs_rehash), never made.
//   $argon2i$v=19$m=65536,t=2,p=1$<salt>$<hash>
//   $scrypt$ln=15,r=8,p=1$<salt>$<hash>            (N = 2^ln)
//   $pbkdf2-sha256$i=600000,l=32$<salt>$<hash>      (also passlib's $pbkdf2-sha256$600000$...)
// Salts and hashes in unpadded base64, standard or passlib's ("." for "+"). Parameters beyond
// what a verification should cost (scrypt: 256 MiB and 128*N*r*p over 1 GiB; PBKDF2: 2,000,000
// iterations; argon2: 256 MiB, or memory times passes over 1 GiB) make a hash unverifiable
// rather than a denial of service.
#pragma once

#include <string_view>

namespace authd::crypto {

// True for a hash of one of these schemes with parameters within the bounds above.
bool is_imported_hash(std::string_view stored);

// True for an argon2 string ($argon2i$ or $argon2id$, v=19) whose costs are within the bounds
// above: what an imported argon2id hash must also satisfy.
bool argon2_costs_within_bounds(std::string_view stored);

// True when `password` matches; false for a wrong password and for a hash is_imported_hash
// refuses.
bool verify_imported_hash(std::string_view password, std::string_view stored);

}  // namespace authd::crypto
