"""The classroom widgets: live images redrawn as a student drags or clicks.

live          the live image, one-thread redraws and captioned panels every widget uses, and the
              picture each widget's display carries for readers without a kernel (``Previewed``)
preview       those pictures: the widget's own images and captions, a still or an animated PNG
sliders       interpolation, arithmetic and attribute sliders (7.4.4)
gallery       pick each group's faces by clicking thumbnails (listing 7.7)
explorer      the face editor: a face moved along the main directions of the codes
arithmetic_shop, glasses_shop   the glasses shop: his glasses on women by arithmetic (figure
              7.1), the glasses direction and the frame slider (figure 7.2)
code_map, gifs   a clickable map of the codes, animated GIFs for slides
"""
