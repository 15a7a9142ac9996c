"""The chapter's own code, what a student reads beside the book (sections 7.2-7.4).

    core     one AE step, reparameterize, the KL term and the VAE loss, one VAE step, the arithmetic
             and the blend of 7.4.4
    models   the AE (784-200-20), the convolutional VAE with its Encoder and Decoder, a dense VAE
    latent   encode, decode, group means, paths and attribute vectors on any model with the
             chapter's interface

It imports nothing else of dlhelpers.
"""
