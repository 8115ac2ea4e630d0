// Whether a listen address can only be reached from this machine. A server refuses to listen on
// any other address without TLS unless told to (--allow-insecure-listen), so a forgotten flag
// never puts plaintext, token-carrying traffic on the network.
#ifndef SALESOPS_COMMON_LISTEN_ADDRESS_H_
#define SALESOPS_COMMON_LISTEN_ADDRESS_H_

#include "absl/strings/string_view.h"

namespace salesops {

// True for 127.0.0.0/8, ::1 (and ::ffff:127.x.y.z), "localhost" and Unix sockets ("unix:...");
// false for everything else, including 0.0.0.0, [::], an empty host (":50051", all interfaces)
// and other host names. Forms: "host:port", "[v6]:port", optionally "ipv4:"/"ipv6:" prefixed.
bool IsLoopbackListenAddress(absl::string_view address);

}  // namespace salesops

#endif  // SALESOPS_COMMON_LISTEN_ADDRESS_H_
