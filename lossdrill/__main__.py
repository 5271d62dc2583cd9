from lossdrill.cli import main

main()
