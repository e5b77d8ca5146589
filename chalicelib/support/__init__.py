"""Support requests: anyone, signed in or not, asks an organization for help (sign-in trouble,
enrollment, billing, a technical problem); the request is kept with a status in that
organization's queue, its support mailbox is told that one is waiting (by reference number only),
and its staff work through the queue and record how they answered.

A request is PHI-adjacent (a description in the person's own words, how to reach them): it never
leaves the portal by email, it is never logged, and every staff read of it is audited.
"""
