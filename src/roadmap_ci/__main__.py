from roadmap_ci.cli import main

main()
