"""Scripted dialogs: staff pin down what the bot says, and any change to an intent or policy that breaks a
conversation shows up as a failing dialog (`policybot test`, `policybot record`, pytest)."""
from .format import DEFAULT_TODAY, Dialog, Expectation, Step, load_dialog_file, load_dialogs
from .runner import DialogResult, Runner

__all__ = ["DEFAULT_TODAY", "Dialog", "DialogResult", "Expectation", "Runner", "Step", "load_dialog_file",
           "load_dialogs"]
