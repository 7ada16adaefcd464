import matplotlib

matplotlib.use("Agg")  # labs and figures are tested without a kernel or a screen
