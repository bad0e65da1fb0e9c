"""What every Rapport app shares. Imports no app of Rapport's own."""
