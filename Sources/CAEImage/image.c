#include "CAEImage.h"

size_t CAEImage_size(const CAEImage_bitmap *image) {
    return (size_t)image->width * image->height * image->channels;
}
