from flask import Blueprint

bp = Blueprint("links", __name__)
