from overleg.cli.app import main

main()
