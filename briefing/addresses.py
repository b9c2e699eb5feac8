"""The addresses of the site's pages, worked out once per process.

Every page asks for the same few (the header's links, its own address, its export), and
reverse() costs more than all the rest of building a page's links.
"""

import functools

from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import get_script_prefix, reverse


@functools.lru_cache(maxsize=1024)
def _address(script_prefix, name, args, kwargs):
    return reverse(name, args=args or None, kwargs=dict(kwargs) or None)


def address(name, *args, **kwargs):
    """reverse(name, args, kwargs), remembered."""
    # reverse() puts the script prefix in front of the address: part of the key.
    return _address(get_script_prefix(), name, args, tuple(sorted(kwargs.items())))


@receiver(setting_changed)
def forget_addresses(setting, **kwargs):
    """Another URLconf (as in tests) may place the pages elsewhere."""
    if setting == "ROOT_URLCONF":
        _address.cache_clear()
