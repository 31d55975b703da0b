"""The demo: `manage.py seed_demo` loads Yongjing's network, the demo accounts and every module's
demo data (fpa.core.demo: the seeders' registry). Not installed in production settings' sense of
use: the command refuses unless FPA_ALLOW_DEMO."""
