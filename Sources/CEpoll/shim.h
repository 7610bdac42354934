// epoll(7) for the event loops and the load harness.
#include <sys/epoll.h>
