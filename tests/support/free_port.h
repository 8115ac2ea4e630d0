// Picks a TCP port on 127.0.0.1 that is free right now, for servers that cannot bind port 0
// themselves (redis-server). Another process may take it before it is used: callers retry.
#ifndef SALESOPS_TESTS_SUPPORT_FREE_PORT_H_
#define SALESOPS_TESTS_SUPPORT_FREE_PORT_H_

namespace salesops::testing {

int PickFreeLoopbackPort();

}  // namespace salesops::testing

#endif  // SALESOPS_TESTS_SUPPORT_FREE_PORT_H_
