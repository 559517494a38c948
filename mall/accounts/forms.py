from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from mall.accounts.services import email_taken
from mall.forms import strip

MIN_PASSWORD = 10


class SignupForm(FlaskForm):
    name = StringField(
        "Your name",
        filters=[strip],
        validators=[
            DataRequired("Tell us your name."),
            Length(max=120, message="Keep your name under 120 characters."),
        ],
    )
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
            Email("Enter a valid email address, like you@example.com."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Choose a password."),
            Length(min=MIN_PASSWORD, max=256, message=f"Use at least {MIN_PASSWORD} characters (at most 256)."),
        ],
    )
    confirm = PasswordField(
        "Confirm password",
        validators=[DataRequired("Type the password again."), EqualTo("password", "The two passwords do not match.")],
    )

    def validate_email(self, field):
        if email_taken(field.data):
            raise ValidationError("An account with this email already exists. Log in instead?")


class LoginForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[strip],
        validators=[
            DataRequired("Enter your email address."),
            Length(max=254, message="That email address is too long."),
        ],
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Enter your password."), Length(max=256, message="That password is too long.")],
    )


class ChangePasswordForm(FlaskForm):
    current = PasswordField(
        "Current password",
        validators=[
            DataRequired("Enter your current password."),
            Length(max=256, message="That password is too long."),
        ],
    )
    password = PasswordField(
        "New password",
        validators=[
            DataRequired("Choose a new password."),
            Length(min=MIN_PASSWORD, max=256, message=f"Use at least {MIN_PASSWORD} characters (at most 256)."),
        ],
    )
    confirm = PasswordField(
        "Confirm new password",
        validators=[
            DataRequired("Type the new password again."),
            EqualTo("password", "The two passwords do not match."),
        ],
    )
