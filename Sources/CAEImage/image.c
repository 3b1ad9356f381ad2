#include "CAEImage.h"

#include <stdlib.h>

void CAEImage_free(CAEImage_bitmap *image) {
    free(image->pixels);
    image->pixels = NULL;
}
