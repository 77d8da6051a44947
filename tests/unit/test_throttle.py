"""The growing delay after wrong passcodes, on a fake clock."""

from __future__ import annotations

from ui.throttle import Throttle


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_each_failure_doubles_the_wait_up_to_the_cap():
    clock = Clock()
    t = Throttle(base_s=1, cap_s=8, clock=clock)
    waits = []
    for _ in range(6):
        t.failed("s")
        waits.append(t.wait_s("s"))
    assert waits == [1, 2, 4, 8, 8, 8]
    clock.now = 8.0
    assert t.wait_s("s") == 0
    t.succeeded("s")
    t.failed("s")
    assert t.wait_s("s") == 1


def test_free_failures_then_delay_and_keys_are_apart():
    clock = Clock()
    t = Throttle(base_s=1, free=2, clock=clock)
    t.failed("client")
    t.failed("client")
    assert t.wait_s("client") == 0 and t.wait_s("other") == 0
    t.failed("client")
    assert t.wait_s("client") == 1


def test_old_keys_are_forgotten():
    clock = Clock()
    t = Throttle(forget_s=10, clock=clock)
    t.failed("a")
    clock.now = 100.0
    t.failed("b")
    assert t.failed("a") == 1
