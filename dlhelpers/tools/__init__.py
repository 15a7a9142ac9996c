"""Tools: the command line and what it runs. Nothing in dlhelpers imports this wing.

cli           ``python -m dlhelpers <command>`` (train, bench, faces, figures, student-copies, colab)
bench, bench_photos, bench_widgets, thin_study   benchmarks and studies that print figures
slides        the chapter's figures as files; student_copies: notebooks without solutions
colab         every notebook's first cell (Colab or not) and the README's Colab badges
slideshow     which cells of notebooks 03, 04, 06 start a slide (``python -m dlhelpers.tools.slideshow``)
"""
