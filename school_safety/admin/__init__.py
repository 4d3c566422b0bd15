"""Administration for the `admin` role: regions, schools, staff accounts, role policies, imports."""
