#include "crypto/sealing.hpp"

#include <sodium.h>

#include <stdexcept>

#include "crypto/base64url.hpp"
#include "crypto/c_library.hpp"

namespace authd::crypto {
namespace {

constexpr std::size_t kKeyBytes = crypto_aead_xchacha20poly1305_ietf_KEYBYTES;
constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

}  // namespace

std::string derive_sealing_key(std::string_view key_material) {
  detail::ensure_sodium_initialised();
  // BLAKE2b-256 over a fixed context and the material: any length of material gives a uniform
  // key, and the context keeps it apart from any other use of the same material.
  std::string input("authd signing-key sealing v1");
  input.push_back('\0');
  input.append(key_material);
  std::string key(kKeyBytes, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(key.data()), key.size(),
                     detail::bytes_of(input), input.size(), nullptr, 0);
  sodium_memzero(input.data(), input.size());
  return key;
}

std::string seal(std::string_view key_32, std::string_view plaintext, std::string_view associated) {
  detail::ensure_sodium_initialised();
  if (key_32.size() != kKeyBytes) throw std::invalid_argument("seal: key must be 32 bytes");
  std::string out(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* nonce = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(nonce, kNonceBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      nonce + kNonceBytes, &written, detail::bytes_of(plaintext), plaintext.size(),
      detail::bytes_of(associated), associated.size(), nullptr, nonce, detail::bytes_of(key_32));
  out.resize(kNonceBytes + written);
  return base64url_encode(out);
}

std::optional<std::string> unseal(std::string_view key_32, std::string_view sealed,
                                  std::string_view associated) {
  detail::ensure_sodium_initialised();
  if (key_32.size() != kKeyBytes) return std::nullopt;
  const auto raw = base64url_decode(sealed);
  if (!raw || raw->size() < kNonceBytes + kTagBytes) return std::nullopt;
  const auto* nonce = detail::bytes_of(*raw);
  std::string plaintext(raw->size() - kNonceBytes - kTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plaintext.data()), &written, nullptr,
          nonce + kNonceBytes, raw->size() - kNonceBytes, detail::bytes_of(associated),
          associated.size(), nonce, detail::bytes_of(key_32)) != 0) {
    return std::nullopt;
  }
  plaintext.resize(written);
  return plaintext;
}

}  // namespace authd::crypto
