// epoll(7) for the load harness.
#include <sys/epoll.h>
