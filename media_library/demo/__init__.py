"""The demo pack: genuine public-domain photos shipped in installed packages, fakes made from
them by Telltale's own code, and demo accounts. Built by `manage.py seed_demo`; see
docs/demo-pack.md."""
