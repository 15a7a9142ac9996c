"""The classroom widgets: live images redrawn as a student drags or clicks.

live          the live image, one-thread redraws and captioned panels every widget uses
sliders       interpolation, arithmetic and attribute sliders (7.5)
gallery       pick each group's faces by clicking thumbnails (listing 7.7)
explorer, glasses_shop, code_map, gifs   the face editor, the glasses shop of figure 7.1,
              a clickable map of the codes, animated GIFs for slides
"""
