from dashboard.app import create_app

server = create_app().server
